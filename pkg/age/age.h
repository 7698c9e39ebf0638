#pragma once
// age v1 files (https://age-encryption.org/v1) as stream steps: a writer that encrypts to
// recipients and a reader that decrypts with identities. See README.md for the layout.

#include <memory>
#include <string>
#include <vector>

#include "pkg/age/keys.h"
#include "pkg/age/payload.h"
#include "pkg/stream/stream.h"

namespace ketcd::age {

// Encrypts into `next` (not owned) for every recipient; the header is written at once.
// Close writes the final chunk and closes `next`. An scrypt recipient must be the only one.
absl::StatusOr<std::unique_ptr<stream::Writer>> NewEncryptWriter(stream::Writer* next,
                                                                 const std::vector<Recipient>& recipients);

// Reads and checks the header of `src` (not owned) at once: InvalidArgument when no identity
// opens it (a wrong key or passphrase), DataLoss for a malformed header or a MAC mismatch.
// Reads then fail with DataLoss at the first chunk that does not authenticate, and at the
// end when the final chunk is missing. `name` is for messages.
absl::StatusOr<std::unique_ptr<stream::Reader>> NewDecryptReader(stream::Reader* src,
                                                                 const std::vector<Identity>& identities,
                                                                 const std::string& name);

}  // namespace ketcd::age
