# Build settings shared by every target of the project (not by third-party code).
#   ketcd_settings  compile/link options: sanitizers, hardening
#   ketcd_warnings  the warning set

add_library(ketcd_settings INTERFACE)
target_compile_definitions(ketcd_settings INTERFACE
  KETCD_VERSION="${PROJECT_VERSION}"
  $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
if(KETCD_SANITIZE)
  target_compile_options(ketcd_settings INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(ketcd_settings INTERFACE -fsanitize=address,undefined)
endif()

# KETCD_FUZZ: every project library is built with libFuzzer's coverage instrumentation and
# the sanitizers, so that the fuzz targets (ketcd_fuzzer) get feedback from the code under test.
if(KETCD_FUZZ)
  target_compile_options(ketcd_settings INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(ketcd_settings INTERFACE -fsanitize=address,undefined)
endif()

add_library(ketcd_warnings INTERFACE)
target_compile_options(ketcd_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wno-unused-parameter
  # GCC 12 at -O3 reports -Wrestrict inside libstdc++'s `"literal" + std::string&&` (GCC bug
  # 105329, fixed in 13): a false positive in the library, not in our code.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
  $<$<BOOL:${KETCD_WERROR}>:-Werror>)

# ketcd_library(NAME SOURCES... DEPS ...): one library per pkg/ folder.
function(ketcd_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ketcd_settings ketcd_warnings)
endfunction()

# ketcd_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with CTest; the
# `unit-tests` target builds every one labelled unit (the default label).
function(ketcd_test name)
  if(NOT KETCD_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock
                        ketcd_settings ketcd_warnings)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60)
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY KETCD_UNIT_TESTS ${name})
  endif()
endfunction()

# ketcd_fuzzer(NAME SOURCES... DEPS ...): a libFuzzer target (KETCD_FUZZ=ON, clang only),
# kept in a fuzz/ folder beside the code it exercises, with its seed corpus in fuzz/corpus/NAME.
function(ketcd_fuzzer name)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(WARNING "KETCD_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++); skipping ${name}")
    return()
  endif()
  if(NOT IS_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name}")
    message(FATAL_ERROR "fuzz target ${name} has no seed corpus ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name}")
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} ketcd_settings ketcd_warnings)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  set_property(GLOBAL APPEND PROPERTY KETCD_FUZZERS ${name})
endfunction()

# KETCD_STATIC: the release binary. Every third-party library is linked from its .a
# and libstdc++/libgcc are linked in, so the binary needs only glibc at run time.
# The find modules honour the variables below; Debian's CMake package configs (gRPC,
# abseil, yaml-cpp) name their .so files directly, so after find_package()
# ketcd_use_static_libraries() points every imported target at the .a beside it.
# libcurl: Debian's libcurl.a needs static krb5 and LDAP, which Debian does not ship;
# pass -DKETCD_CURL_ROOT=<prefix> of an HTTP-only static build (tests/tools/build-static-curl.sh).
if(KETCD_STATIC)
  set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
  set(OPENSSL_USE_STATIC_LIBS TRUE)
  set(Protobuf_USE_STATIC_LIBS ON)
  set(KETCD_CURL_ROOT "" CACHE PATH "Prefix of a static HTTP-only libcurl (include/, lib/libcurl.a)")
  if(KETCD_CURL_ROOT)
    set(CURL_NO_CURL_CMAKE ON)
    set(CURL_INCLUDE_DIR "${KETCD_CURL_ROOT}/include" CACHE PATH "" FORCE)
    set(CURL_LIBRARY "${KETCD_CURL_ROOT}/lib/libcurl.a" CACHE FILEPATH "" FORCE)
  endif()
  set(CMAKE_LINK_SEARCH_START_STATIC ON)
  set(CMAKE_LINK_SEARCH_END_STATIC ON)
  target_link_options(ketcd_settings INTERFACE -static)
endif()

# Replaces lib<name>.so[.N] by lib<name>.a in the imported targets of this directory.
function(ketcd_use_static_libraries)
  get_directory_property(imported IMPORTED_TARGETS)
  foreach(target IN LISTS imported)
    get_target_property(type ${target} TYPE)
    # "-lname" from pkg-config (re2::re2): the .a by full path, glibc's own libraries excepted.
    get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
    if(links)
      set(rewritten "")
      foreach(item IN LISTS links)
        string(REGEX REPLACE "^-l" "" name "${item}")
        if(NOT name STREQUAL item AND NOT name MATCHES "^(c|m|dl|rt|pthread)$")
          find_library(KETCD_STATIC_${name} NAMES lib${name}.a)
          if(KETCD_STATIC_${name})
            set(item "${KETCD_STATIC_${name}}")
          endif()
        endif()
        list(APPEND rewritten "${item}")
      endforeach()
      set_target_properties(${target} PROPERTIES INTERFACE_LINK_LIBRARIES "${rewritten}")
    endif()
    if(NOT type MATCHES "LIBRARY$" OR type STREQUAL "INTERFACE_LIBRARY")
      continue()
    endif()
    get_target_property(configs ${target} IMPORTED_CONFIGURATIONS)
    set(props IMPORTED_LOCATION)
    foreach(config IN LISTS configs)
      list(APPEND props IMPORTED_LOCATION_${config})
    endforeach()
    foreach(prop IN LISTS props)
      get_target_property(location ${target} ${prop})
      if(location AND location MATCHES "^(.*)\\.so(\\.[0-9.]+)?$")
        if(EXISTS "${CMAKE_MATCH_1}.a")
          set_target_properties(${target} PROPERTIES ${prop} "${CMAKE_MATCH_1}.a")
          set_target_properties(${target} PROPERTIES IMPORTED_SONAME "" IMPORTED_NO_SONAME TRUE)
        else()
          message(WARNING "KETCD_STATIC: no static library for ${target} (${location})")
        endif()
      endif()
    endforeach()
  endforeach()
  if(TARGET CURL::libcurl)
    # A static libcurl does not carry its own dependencies.
    set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_LINK_LIBRARIES
                 OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
    set_property(TARGET CURL::libcurl APPEND PROPERTY INTERFACE_COMPILE_DEFINITIONS CURL_STATICLIB)
  endif()
endfunction()
