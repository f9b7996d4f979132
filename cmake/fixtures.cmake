# Fixture bundles are readable text trees in fixtures/bundles/<case>/; the
# build packs each into <case>.zip and <case>.tar.gz (nested node zips
# included) under ${LHT_FIXTURE_DIR}. Tests get that path from the
# LHT_FIXTURES environment variable.
set(LHT_FIXTURE_DIR ${CMAKE_BINARY_DIR}/fixtures)
file(MAKE_DIRECTORY ${LHT_FIXTURE_DIR})
set(LHT_FIXTURE_OUTPUTS "")

function(lht_pack_fixture case format out)
  lht_pack_tree(bundles/${case} ${format} ${out} ${ARGN})
  set(LHT_FIXTURE_OUTPUTS ${LHT_FIXTURE_OUTPUTS} PARENT_SCOPE)
endfunction()

# tree: a folder below fixtures/ (bundles/<case>, sosreport/<case>, ...).
function(lht_pack_tree tree format out)
  file(GLOB_RECURSE deps CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fixtures/${tree}/*)
  set(extra_args "")
  if(ARGC GREATER 3)
    list(APPEND extra_args -DEXTRA=${ARGV3} -DEXTRA_AS=${ARGV4})
    list(APPEND deps ${ARGV3})
  endif()
  add_custom_command(
    OUTPUT ${LHT_FIXTURE_DIR}/${out}
    COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR}/fixtures/${tree}
            -DOUT=${LHT_FIXTURE_DIR}/${out} -DFORMAT=${format} ${extra_args}
            -P ${CMAKE_SOURCE_DIR}/cmake/pack_fixture.cmake
    DEPENDS ${deps} ${CMAKE_SOURCE_DIR}/cmake/pack_fixture.cmake
    COMMENT "Packing fixture ${out}"
    VERBATIM)
  set(LHT_FIXTURE_OUTPUTS ${LHT_FIXTURE_OUTPUTS} ${LHT_FIXTURE_DIR}/${out} PARENT_SCOPE)
endfunction()

file(GLOB LHT_FIXTURE_CASES RELATIVE ${CMAKE_SOURCE_DIR}/fixtures/bundles
     CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fixtures/bundles/*)
foreach(case IN LISTS LHT_FIXTURE_CASES)
  if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/fixtures/bundles/${case})
    lht_pack_fixture(${case} zip ${case}.zip)
    lht_pack_fixture(${case} gnutar ${case}.tar.gz)
  endif()
endforeach()

# The seed case as an engineer has it on disk: the bundle unpacked, with
# the customer's pasted shell session (stack, nfsstat) dropped into it.
if(EXISTS ${CMAKE_SOURCE_DIR}/fixtures/bundles/seed-rwx)
  file(GLOB seed_top RELATIVE ${CMAKE_SOURCE_DIR}/fixtures/bundles/seed-rwx
       ${CMAKE_SOURCE_DIR}/fixtures/bundles/seed-rwx/supportbundle_*)
  lht_pack_fixture(seed-rwx dir seed-rwx-unpacked
                   ${CMAKE_SOURCE_DIR}/fixtures/transcripts/seed-node-transcript.txt
                   ${seed_top}/customer-transcript.txt)
endif()

# A node's own reports, packed as the tools ship them: a sosreport as a
# tar.xz of its top folder (symlinks kept), a supportconfig as a .txz of
# the files in its scc_* folder.
foreach(kind IN ITEMS sosreport supportconfig)
  file(GLOB cases RELATIVE ${CMAKE_SOURCE_DIR}/fixtures/${kind}
       CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/fixtures/${kind}/*)
  foreach(case IN LISTS cases)
    if(IS_DIRECTORY ${CMAKE_SOURCE_DIR}/fixtures/${kind}/${case})
      if(kind STREQUAL "sosreport")
        lht_pack_tree(sosreport/${case} xz ${case}.tar.xz)
      else()
        lht_pack_tree(supportconfig/${case} xz-files ${case}.txz)
      endif()
    endif()
  endforeach()
endforeach()

add_custom_target(fixtures ALL DEPENDS ${LHT_FIXTURE_OUTPUTS})
