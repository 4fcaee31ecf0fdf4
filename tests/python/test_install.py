"""`cmake --install` puts the package where python3 finds it, and the installed extension loads
the installed libutfall.so (not the build tree's)."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES

BUILT = os.environ.get("UTFALL_PYTHON_MODULE_DIR")


@pytest.mark.skipif(not BUILT or not shutil.which("cmake"), reason="needs the build tree (run by ctest) and cmake")
def test_install_into_a_prefix(tmp_path):
    build = Path(BUILT).parent
    prefix = tmp_path / "prefix"
    out = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    (package,) = prefix.glob("lib/python3*/*-packages/utfall/__init__.py")
    site = package.parent.parent
    assert site.name in ("dist-packages", "site-packages") and list(site.glob("utfall/_utfall*.so"))
    script = ("import utfall, sys\n"
              f"c = utfall.compile({str(EXAMPLES / 'a-aldreomsorg' / 'contract.utfall')!r})\n"
              f"print(c.run({str(EXAMPLES / 'a-aldreomsorg' / 'plan.csv')!r}).amount())\n"
              "print(utfall.__file__)\n"
              "print([l.split()[-1] for l in open('/proc/self/maps') if 'libutfall.so' in l][0])\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    total, module, library = out.stdout.split()
    assert total == "42000000.00"  # scenario A's plan, ../shared/scenarios
    assert Path(module).is_relative_to(prefix) and Path(library).resolve().is_relative_to(prefix.resolve())
