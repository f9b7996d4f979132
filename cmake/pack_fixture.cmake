# Pack a readable fixture tree into an archive, the way support-bundle-kit
# would: every directory named <x>.zip.d becomes the nested zip <x>.zip
# (innermost first), then the tree is archived as a whole.
#   cmake -DSRC=dir -DOUT=file -DFORMAT=zip|gnutar|xz|xz-files|dir [-DEXTRA=file -DEXTRA_AS=relpath] -P pack_fixture.cmake
# FORMAT=dir leaves the staged folder at OUT (an "unpacked bundle folder"
# whose node zips are still zips); EXTRA copies one more file into it.
# xz is a pax tar.xz of the tree, symlinks kept as links, as sos writes a
# sosreport (python tarfile, sos/archive.py); xz-files lists the files of
# each top folder without directory entries, as supportconfig's
# `tar Jcf scc_x.txz scc_x/*` does (bin/supportconfig).
cmake_minimum_required(VERSION 3.20)
set(stage "${OUT}.stage")
file(REMOVE_RECURSE "${stage}")
file(MAKE_DIRECTORY "${stage}")
file(COPY "${SRC}/" DESTINATION "${stage}")

file(GLOB_RECURSE all LIST_DIRECTORIES true "${stage}/*")
set(nested "")
foreach(p IN LISTS all)
  if(IS_DIRECTORY "${p}" AND p MATCHES "\\.zip\\.d$")
    list(APPEND nested "${p}")
  endif()
endforeach()
# Longest path first packs inner archives before the ones that hold them.
list(SORT nested)
list(REVERSE nested)
foreach(d IN LISTS nested)
  string(REGEX REPLACE "\\.d$" "" zip "${d}")
  file(GLOB kids RELATIVE "${d}" "${d}/*")
  list(SORT kids)
  execute_process(COMMAND ${CMAKE_COMMAND} -E tar cf "${zip}" --format=zip "--mtime=2025-09-24 07:05:12 UTC" ${kids}
                  WORKING_DIRECTORY "${d}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "packing ${d} failed")
  endif()
  file(REMOVE_RECURSE "${d}")
endforeach()

if(EXTRA)
  get_filename_component(dest "${stage}/${EXTRA_AS}" DIRECTORY)
  file(MAKE_DIRECTORY "${dest}")
  configure_file("${EXTRA}" "${stage}/${EXTRA_AS}" COPYONLY)
endif()

if(FORMAT STREQUAL "dir")
  file(REMOVE_RECURSE "${OUT}")
  file(RENAME "${stage}" "${OUT}")
  return()
endif()
file(GLOB tops RELATIVE "${stage}" "${stage}/*")
list(SORT tops)
if(FORMAT STREQUAL "zip")
  set(args cf "${OUT}.tmp" --format=zip)
elseif(FORMAT STREQUAL "xz")
  set(args cJf "${OUT}.tmp" --format=pax)
elseif(FORMAT STREQUAL "xz-files")
  set(args cJf "${OUT}.tmp" --format=gnutar)
  set(files "")
  foreach(top IN LISTS tops)
    file(GLOB kids RELATIVE "${stage}" "${stage}/${top}/*")
    list(APPEND files ${kids})
  endforeach()
  list(SORT files)
  set(tops ${files})
else()
  set(args czf "${OUT}.tmp" --format=gnutar)
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E tar ${args} "--mtime=2025-09-24 07:05:12 UTC" ${tops}
                WORKING_DIRECTORY "${stage}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "packing ${SRC} failed")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
file(REMOVE_RECURSE "${stage}")
