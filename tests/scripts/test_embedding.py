"""The package as a host sees it: `cmake --install` into a temporary prefix, then the C example
built with pkg-config, the C++ example built with find_package(utfall), and the Python example
through ctypes, each run on reference scenario A. The expected payments are the scenario table's
("plan": 26 700 000.00, 8 300 000.00, 7 000 000.00 from 2027; "messy": 25 616 666.68,
9 383 333.32, 7 000 000.00; both 42 000 000.00 in total), and with premieandel = 25 % on "plan"
the hand computation of tests/api/test_api.cpp (25 750 000.00, 9 250 000.00, 7 000 000.00)."""
import glob
import os
import shutil
import subprocess
import sys
import tempfile

utfall, source = sys.argv[1], sys.argv[2]
build = os.path.dirname(os.path.abspath(utfall))
scenario = os.path.join(source, "examples", "a-aldreomsorg")
contract = os.path.join(scenario, "contract.utfall")
examples = os.path.join(source, "examples", "embedding")
passed = failed = 0

PLAN = ["2027 kommun -> utfallsfonden 26700000.00 (clause 3.2)",
        "2028 kommun -> utfallsfonden 8300000.00 (clause 3.2)",
        "2029 kommun -> utfallsfonden 7000000.00 (clause 3.2)",
        "total kommun -> utfallsfonden 42000000.00"]
MESSY = ["2027 kommun -> utfallsfonden 25616666.68 (clause 3.2)",
         "2028 kommun -> utfallsfonden 9383333.32 (clause 3.2)",
         "2029 kommun -> utfallsfonden 7000000.00 (clause 3.2)",
         "total kommun -> utfallsfonden 42000000.00"]
WHAT_IF = ["2027 kommun -> utfallsfonden 25750000.00 (clause 3.2)",
           "2028 kommun -> utfallsfonden 9250000.00 (clause 3.2)",
           "2029 kommun -> utfallsfonden 7000000.00 (clause 3.2)",
           "total kommun -> utfallsfonden 42000000.00"]


def check(label, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"pass {label}")
    else:
        failed += 1
        print(f"FAIL {label}\n{detail}")


def run(cmd, env=None, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=600)


def sanitized():
    cache = os.path.join(build, "CMakeCache.txt")
    return os.path.exists(cache) and "UTFALL_SANITIZE:BOOL=ON" in open(cache).read()


with tempfile.TemporaryDirectory(prefix="utfall-install-") as tmp:
    prefix = os.path.join(tmp, "prefix")
    out = run(["cmake", "--install", build, "--prefix", prefix])
    check("cmake --install", out.returncode == 0, out.stdout + out.stderr)
    libs = glob.glob(os.path.join(prefix, "lib*", "**", "libutfall.so"), recursive=True)
    check("the library is installed", len(libs) == 1, str(libs))
    if not libs:
        sys.exit(1)
    library = libs[0]
    libdir = os.path.dirname(library)
    for path in ["bin/utfall", "include/utfall/utfall.h", "include/utfall/utfall.hpp"]:
        check(f"{path} is installed", os.path.exists(os.path.join(prefix, path)))
    check("the CMake package is installed", os.path.exists(os.path.join(libdir, "cmake", "utfall", "utfallConfig.cmake")))
    check("utfall.pc is installed", os.path.exists(os.path.join(libdir, "pkgconfig", "utfall.pc")))
    check("no internal header is installed", sorted(os.listdir(os.path.join(prefix, "include", "utfall"))) == ["utfall.h", "utfall.hpp"])

    # The installed command runs too.
    out = run([os.path.join(prefix, "bin", "utfall"), "test", contract])
    check("the installed utfall runs the scenario's examples", out.returncode == 0 and "18 passed, 0 failed" in out.stdout,
          out.stdout + out.stderr)

    env = dict(os.environ, LD_LIBRARY_PATH=libdir, PKG_CONFIG_PATH=os.path.join(libdir, "pkgconfig"))
    flags = []
    if sanitized():
        # The library is built with ASan + UBSan: programs that load it need the runtimes first.
        flags = ["-fsanitize=address,undefined"]
        preload = [run(["gcc", "-print-file-name=" + n]).stdout.strip() for n in ("libasan.so", "libubsan.so")]
        env["ASAN_OPTIONS"] = "detect_leaks=0"  # the Python interpreter's own allocations

    def compare(label, cmd, want, run_env):
        out = run(cmd, env=run_env)
        got = out.stdout.strip().splitlines()
        check(label, out.returncode == 0 and got == want, f"exit {out.returncode}\n{out.stdout}{out.stderr}")

    # C, with pkg-config.
    cflags = run(["pkg-config", "--cflags", "--libs", "utfall"], env=env)
    check("pkg-config finds utfall", cflags.returncode == 0 and "-lutfall" in cflags.stdout, cflags.stderr)
    c_exe = os.path.join(tmp, "c-example")
    out = run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *flags, os.path.join(examples, "c", "main.c"), "-o", c_exe,
               *cflags.stdout.split()], env=env)
    check("the C example builds against the installed package", out.returncode == 0, out.stderr)
    if out.returncode == 0:
        compare("C example: plan", [c_exe, contract, os.path.join(scenario, "plan.csv")], PLAN, env)
        compare("C example: messy", [c_exe, contract, os.path.join(scenario, "messy.csv")], MESSY, env)
        compare("C example: premieandel = 25 %", [c_exe, contract, os.path.join(scenario, "plan.csv"), "premieandel", "25 %"],
                WHAT_IF, env)

    # C++, with find_package(utfall).
    cpp_build = os.path.join(tmp, "cpp-build")
    configure = ["cmake", "-S", os.path.join(examples, "cpp"), "-B", cpp_build, f"-DCMAKE_PREFIX_PATH={prefix}"]
    if shutil.which("ninja"):
        configure += ["-G", "Ninja"]
    if flags:
        configure.append("-DCMAKE_CXX_FLAGS=" + " ".join(flags))
    out = run(configure, env=env)
    if out.returncode == 0:
        out = run(["cmake", "--build", cpp_build], env=env)
    check("the C++ example builds with find_package(utfall)", out.returncode == 0, out.stdout + out.stderr)
    if out.returncode == 0:
        cpp_exe = os.path.join(cpp_build, "example")
        compare("C++ example: plan", [cpp_exe, contract, os.path.join(scenario, "plan.csv")], PLAN, env)
        compare("C++ example: premieandel = 25 %", [cpp_exe, contract, os.path.join(scenario, "plan.csv"), "premieandel", "25 %"],
                WHAT_IF, env)

    # Python, through ctypes.
    py_env = dict(env, UTFALL_LIBRARY=library)
    if flags:
        py_env["LD_PRELOAD"] = " ".join(preload)
    py = [sys.executable, os.path.join(examples, "python", "example.py"), contract]
    compare("Python example: plan", py + [os.path.join(scenario, "plan.csv")], PLAN, py_env)
    compare("Python example: messy", py + [os.path.join(scenario, "messy.csv")], MESSY, py_env)
    compare("Python example: premieandel = 25 %", py + [os.path.join(scenario, "plan.csv"), "premieandel", "25 %"], WHAT_IF, py_env)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
