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

add_library(ketcd_warnings INTERFACE)
target_compile_options(ketcd_warnings INTERFACE
  -Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough -Wno-unused-parameter)

# ketcd_library(NAME SOURCES... DEPS ...): one library per pkg/ folder.
function(ketcd_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ketcd_settings ketcd_warnings)
endfunction()

# ketcd_test(NAME SOURCES... DEPS ...): a GoogleTest binary registered with CTest.
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
endfunction()
