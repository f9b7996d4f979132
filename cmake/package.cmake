# What `cmake --install` puts where, and the Debian package cpack builds
# from the same rules (`cpack -G DEB`). The package is checked by lintian
# in tests/package_test.sh: a compressed man page and changelog, a
# copyright file, a stripped binary, dependencies from dpkg-shlibdeps.

install(TARGETS lhtriage RUNTIME DESTINATION bin)
# The binary looks for its rules in <prefix>/share/lhtriage/rules (next to
# bin/), so an installed lhtriage needs no --rules.
install(DIRECTORY rules/ DESTINATION share/lhtriage/rules
        FILES_MATCHING PATTERN "*.yaml" PATTERN "README.md")
# The JSON report's schema (report --format json, its schema_version).
install(FILES analyzer/report/report.schema.json analyzer/report/fleet.schema.json DESTINATION share/lhtriage)

# gzip -9n: the best compression (Debian policy 12.1) and no name or time
# stamp in the header, so two builds give the same bytes.
function(lht_gzip src out)
  add_custom_command(
    OUTPUT ${out}
    COMMAND sh -c "gzip -9nc \"$1\" > \"$2\"" sh ${src} ${out}
    DEPENDS ${src}
    COMMENT "Compressing ${src}"
    VERBATIM)
endfunction()
lht_gzip(${CMAKE_SOURCE_DIR}/man/lhtriage.1 ${CMAKE_BINARY_DIR}/lhtriage.1.gz)
lht_gzip(${CMAKE_SOURCE_DIR}/packaging/changelog ${CMAKE_BINARY_DIR}/changelog.gz)
add_custom_target(lht_docs ALL DEPENDS ${CMAKE_BINARY_DIR}/lhtriage.1.gz ${CMAKE_BINARY_DIR}/changelog.gz)

install(FILES ${CMAKE_BINARY_DIR}/lhtriage.1.gz DESTINATION share/man/man1)
install(FILES README.md packaging/copyright ${CMAKE_BINARY_DIR}/changelog.gz DESTINATION share/doc/lhtriage)

# Shell completion where each shell looks by default: bash-completion and
# fish read share/ below any prefix in XDG_DATA_DIRS; zsh's fpath has
# /usr/local/share/zsh/site-functions, and Debian's zsh adds
# /usr/share/zsh/vendor-completions for packages. The prefix is known
# only at install time (cpack installs to /usr).
install(FILES completion/lhtriage.bash DESTINATION share/bash-completion/completions RENAME lhtriage)
install(FILES completion/lhtriage.fish DESTINATION share/fish/vendor_completions.d)
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(lht_zsh_dir share/zsh/vendor-completions)
  else()
    set(lht_zsh_dir share/zsh/site-functions)
  endif()
  file(INSTALL \"${CMAKE_SOURCE_DIR}/completion/_lhtriage\" DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${lht_zsh_dir}\")
")

set(CPACK_PACKAGE_NAME lhtriage)
set(CPACK_PACKAGE_CONTACT "lhtriage maintainers <maintainers@users.noreply.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "offline analyzer for Longhorn support bundles")
# The Debian description below the summary: lines of at most 80 columns
# (CPack indents them as the control file wants).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "lhtriage reads Longhorn support bundles (zip, tar.gz and other archives,
nested node zips included), unpacked bundle folders and pasted shell
sessions without extracting them to disk. It recognises the host evidence
in them: process tables, kernel stacks, mount tables and nfsstat, kernel
logs with hung-task reports, kernel and Longhorn versions, Kubernetes
objects. Every fact is stored in SQLite with the archive member and line
it came from, and signature rules (YAML, PCRE2) report known issues, such
as writers hung in the NFSv4.1 client on RWX volumes, with their evidence,
in a markdown or JSON report.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the binary links, as dpkg-shlibdeps says,
# and the floors symbols cannot show: the SQL the schema uses (SQLite
# 3.35) and the zip reading the bundles need (libarchive 3.6).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libarchive13 (>= 3.6), libsqlite3-0 (>= 3.35)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS bash-completion)
include(CPack)
