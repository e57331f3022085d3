# Debian packages with CPack, one per install component:
#   libx3mat0     runtime: libx3mat.so.0 and the shipped models (/usr/share/x3mat/models)
#   libx3mat-dev  development: x3mat.h, libx3mat.so, the Fortran module and its archive,
#                 pkg-config and CMake package files
#   x3mat         cli: the x3mat and x3mat-gcmc programs
#
#   cmake --build build --target package     # or: cd build && cpack -G DEB
#
# Dependencies on shared libraries are computed by dpkg-shlibdeps (libx3mat0's own shlibs
# file serves the programs); OpenBLAS, which libx3mat loads at run time (dlopen, after
# choosing its kernels), is declared by hand.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "x3mat")
set(CPACK_PACKAGE_VENDOR "The libx3mat developers")
set(CPACK_PACKAGE_CONTACT "The libx3mat developers <x3mat@users.noreply.github.com>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_RESOURCE_FILE_LICENSE "${CMAKE_SOURCE_DIR}/LICENSE")
# Stripped packages: install(TARGETS) strips by itself; the library and the CLI, which
# SwiftPM builds and install(FILES/PROGRAMS) copies, are stripped here.
set(CPACK_STRIP_FILES ON)
install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
        execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-unneeded
            \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/${X3MAT_REAL}\")
    endif()" COMPONENT runtime)
install(CODE "
    if(CMAKE_INSTALL_DO_STRIP)
        execute_process(COMMAND \"${CMAKE_STRIP}\" \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/x3mat\")
    endif()" COMPONENT cli)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime development cli)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/x3mat/libx3mat")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# the programs need libx3mat.so.0 from this build: dpkg-shlibdeps finds it here
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${X3MAT_LIBDIR}")

# Each package's description: its summary line, then the common text, then its own
# paragraph (CPack indents the lines and marks the empty one).
set(X3MAT_SUMMARY "symmetry-aware machine learning for nanoporous materials")
set(X3MAT_LONG_DESCRIPTION
"libx3mat implements X(3)mat: it cuts a periodic crystal (zeolite,
metal-organic framework) into spherical detection windows, runs an
SO(3)-equivariant graph transformer on each window to obtain a per-site
contribution, averages them into the material's property (gas uptake, band
gap), draws 3-D contribution maps and finds the recurring strong sites of a
dataset by Weisfeiler-Lehman hashing. It is a native library with a stable
C ABI and C, Fortran and Python bindings.
")

set(X3MAT_OPENBLAS_DEPENDS "libopenblas0-pthread | libopenblas0-openmp | libopenblas0-serial")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "libx3mat${PROJECT_VERSION_MAJOR}")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION "libs")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "${X3MAT_OPENBLAS_DEPENDS}")
# the library cache is refreshed by dpkg's ldconfig trigger
file(WRITE "${CMAKE_BINARY_DIR}/debian-control/triggers" "activate-noawait ldconfig\n")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA "${CMAKE_BINARY_DIR}/debian-control/triggers")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION "${X3MAT_SUMMARY} - library
${X3MAT_LONG_DESCRIPTION}
This package holds the shared library and the shipped models.")

set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME "libx3mat-dev")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_DEPENDS "libx3mat${PROJECT_VERSION_MAJOR} (= ${PROJECT_VERSION}-1)")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SUGGESTS "gfortran, pkgconf | pkg-config, cmake")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SHLIBDEPS OFF)
set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION "${X3MAT_SUMMARY} - development files
${X3MAT_LONG_DESCRIPTION}
This package holds the C header, the Fortran module, and the pkg-config and
CMake package files.")

set(CPACK_DEBIAN_CLI_PACKAGE_NAME "x3mat")
set(CPACK_DEBIAN_CLI_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_CLI_PACKAGE_DEPENDS "${X3MAT_OPENBLAS_DEPENDS}")
set(CPACK_COMPONENT_CLI_DESCRIPTION "${X3MAT_SUMMARY} - programs
${X3MAT_LONG_DESCRIPTION}
This package holds the x3mat command-line tool (predict, explain, sites,
train, evaluate, models) and x3mat-gcmc, a grand-canonical Monte Carlo
program.")

# Debian's documentation files for each package: the copyright (machine-readable) and a
# compressed changelog (gzip -n: no time stamp, reproducible).
foreach(component runtime development cli)
    string(TOUPPER "${component}" upper)
    set(pkg "${CPACK_DEBIAN_${upper}_PACKAGE_NAME}")
    set(doc "${CMAKE_BINARY_DIR}/debian-doc/${pkg}")
    file(MAKE_DIRECTORY "${doc}")
    file(READ "${CMAKE_SOURCE_DIR}/LICENSE" license_text)
    string(REGEX REPLACE "\n\n" "\n.\n" license_text "${license_text}")
    string(REGEX REPLACE "\n" "\n " license_text "${license_text}")
    file(WRITE "${doc}/copyright"
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: libx3mat
Source: ${CPACK_DEBIAN_PACKAGE_HOMEPAGE}

Files: *
Copyright: 2026 The libx3mat developers
License: MIT

Files: usr/share/x3mat/models/*
Copyright: 2026 The libx3mat developers
License: MIT
Comment: Trained on public data with their own terms: IZA-SC zeolite structures and
 the Ar uptakes of Sarkisov et al.; QMOF (CC BY 4.0); CoRE MOF 2019 (CC BY 4.0).

License: MIT
 ${license_text}
")
    file(WRITE "${doc}/changelog.Debian"
"${pkg} (${PROJECT_VERSION}-1) unstable; urgency=medium

  * Packaged with CPack from the libx3mat CMake build.

 -- ${CPACK_PACKAGE_CONTACT}  Mon, 30 Nov 2026 00:00:00 +0000
")
    execute_process(COMMAND gzip -9 -n -f "${doc}/changelog.Debian")
    install(FILES "${doc}/copyright" "${doc}/changelog.Debian.gz"
            DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/${pkg}" COMPONENT ${component})
endforeach()

include(CPack)
