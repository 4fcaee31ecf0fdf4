"""A Python host through ctypes: the C API's JSON calls, no compiler needed.

    UTFALL_LIBRARY=/prefix/lib/libutfall.so python3 example.py CONTRACT DATA.csv [TERM VALUE]...

The data file is read here with the csv module and handed over as a JSON document of strings,
so no value passes through a Python float; amounts come back as exact decimal strings.
"""
import csv
import ctypes
import ctypes.util
import json
import os
import sys


def load():
    path = os.environ.get("UTFALL_LIBRARY") or ctypes.util.find_library("utfall")
    if not path:
        sys.exit("cannot find libutfall: set UTFALL_LIBRARY to its path")
    lib = ctypes.CDLL(path)
    handle = ctypes.POINTER(ctypes.c_void_p)
    # Strings the library hands over come back as void pointers: read them, then utfall_free.
    owned = ctypes.POINTER(ctypes.c_void_p)
    lib.utfall_engine_new.argtypes = [ctypes.c_char_p, ctypes.POINTER(handle), owned]
    lib.utfall_engine_new.restype = ctypes.c_int
    lib.utfall_compile_file.argtypes = [handle, ctypes.c_char_p, ctypes.POINTER(handle), owned]
    lib.utfall_compile_file.restype = ctypes.c_int
    lib.utfall_evaluate_json.argtypes = [handle, handle, ctypes.c_char_p, ctypes.c_char_p, owned]
    lib.utfall_evaluate_json.restype = ctypes.c_int
    lib.utfall_free.argtypes = [ctypes.c_void_p]
    lib.utfall_contract_free.argtypes = [handle]
    lib.utfall_engine_free.argtypes = [handle]
    return lib, handle


def take_string(lib, pointer):
    """Copies a string the library handed over, and frees it."""
    if not pointer.value:
        return ""
    text = ctypes.string_at(pointer.value).decode("utf-8")
    lib.utfall_free(pointer)
    return text


def main(argv):
    if len(argv) < 3 or len(argv) % 2 == 0:
        sys.exit(f"usage: {argv[0]} CONTRACT DATA.csv [TERM VALUE]...")
    lib, handle = load()
    engine, contract = handle(), handle()
    if lib.utfall_engine_new(None, ctypes.byref(engine), None) != 0:
        sys.exit("cannot create an engine")
    messages = ctypes.c_void_p()
    status = lib.utfall_compile_file(engine, argv[1].encode(), ctypes.byref(contract), ctypes.byref(messages))
    problems = take_string(lib, messages)
    if status != 0:
        for m in json.loads(problems):
            print(m["rendered"], file=sys.stderr)
        return status

    with open(argv[2], newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))  # every value stays a string
    data = json.dumps({"data": rows})
    options = json.dumps({"terms": dict(zip(argv[3::2], argv[4::2]))})
    out = ctypes.c_void_p()
    status = lib.utfall_evaluate_json(engine, contract, data.encode(), options.encode(), ctypes.byref(out))
    result = json.loads(take_string(lib, out))
    lib.utfall_contract_free(contract)
    lib.utfall_engine_free(engine)
    if status != 0:
        for m in result["messages"]:
            print(m["rendered"], file=sys.stderr)
        return status
    for p in result["payments"]:
        print(f'{p["period"]} {p["from"]} -> {p["to"]} {p["amount"]} (clause {p["clause"]})')
    for t in result["totals"]:
        print(f'total {t["from"]} -> {t["to"]} {t["amount"]}')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
