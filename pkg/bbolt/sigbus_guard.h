#pragma once
// The process-wide SIGBUS handler behind MappedFile (see mapped_file.h).
//
// A lock-free registry of read-only file mappings, read by the signal handler with atomic
// loads only. A fault at an address inside a registered mapping (the file was truncated or
// a page could not be read) maps an anonymous page of zeros over the faulting page with
// MAP_FIXED and sets that mapping's faulted flag; the faulting instruction then reads zeros.
// Any other SIGBUS gets the disposition the process had before (by default: killed).

#include <cstdint>

namespace ketcd::bbolt::sigbus {

inline constexpr int kMaxMappings = 64;

// Registers [begin, begin + size) and installs the handler on first use. Returns the slot,
// or -1 when kMaxMappings mappings are registered already.
int Register(const void* begin, uint64_t size);
// Before the mapping is unmapped.
void Unregister(int slot);
// True once a fault inside the slot's mapping was answered with zeros.
bool Faulted(int slot);

}  // namespace ketcd::bbolt::sigbus
