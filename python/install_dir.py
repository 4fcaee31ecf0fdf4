"""Prints where `cmake --install` puts the Python package, relative to the install prefix.

Debian's python3 finds packages of a local install (prefix /usr/local) in
lib/python3.X/dist-packages (its scheme `posix_local`) and those of the system (prefix /usr) in
lib/python3/dist-packages (`deb_system`); another Python uses its `posix_prefix` scheme.
Usage: python3 install_dir.py PREFIX
"""
import os
import sys
import sysconfig

prefix = sys.argv[1]
schemes = sysconfig.get_scheme_names()
if prefix.rstrip("/") == "/usr" and "deb_system" in schemes:
    print(os.path.relpath(sysconfig.get_path("platlib", "deb_system", vars={"platbase": "/usr", "base": "/usr"}), "/usr"))
elif "posix_local" in schemes:
    # posix_local writes {platbase}/local/lib/...: relative to /usr/local it is lib/python3.X/dist-packages.
    print(os.path.relpath(sysconfig.get_path("platlib", "posix_local", vars={"platbase": "/usr", "base": "/usr"}), "/usr/local"))
else:
    print(os.path.relpath(sysconfig.get_path("platlib", "posix_prefix", vars={"platbase": prefix, "base": prefix}), prefix))
