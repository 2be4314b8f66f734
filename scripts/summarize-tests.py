#!/usr/bin/env python3
"""Counts the test cases of the last `meson test` run in each build directory.

    summarize-tests.py BUILD_DIR [BUILD_DIR...]

GoogleTest programs write a JUnit XML file each (--gtest_output); their
cases are counted one by one. Other meson tests (the QEMU scenarios) count
as one case each. A GoogleTest program that failed without writing its XML
(a crash) counts as one failure. A build directory without a test log
(its build failed) counts as one failure. The logs of runs made with their
own --logbase beside the test log, the benchmarks
(meson-logs/benchmarklog.json, from `meson test --benchmark`) and the static
analysis (meson-logs/staticlog.json, scripts/hardening.sh), add one case per
program. Prints one line per directory (when there are several),
then the total as the last line: "N passed, N failed, N skipped".
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def count(build):
    log = os.path.join(build, "meson-logs", "testlog.json")
    passed = failed = skipped = 0
    if not os.path.exists(log):
        print(f"{build}: no test log (the build or the run failed)", flush=True)
        return 0, 1, 0
    for extra in ("benchmarklog.json", "staticlog.json"):
        path = os.path.join(build, "meson-logs", extra)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                result = json.loads(line)["result"]
                if result == "OK":
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            result = t["result"]
            xml_path = None
            for arg in t.get("command", []):
                if arg.startswith("--gtest_output=xml:"):
                    xml_path = arg.split(":", 1)[1]
            counted = False
            if xml_path and os.path.exists(xml_path):
                try:
                    root = ET.parse(xml_path).getroot()
                    for case in root.iter("testcase"):
                        if case.find("failure") is not None or case.find("error") is not None:
                            failed += 1
                        elif case.get("result") == "skipped" or case.find("skipped") is not None:
                            skipped += 1
                        else:
                            passed += 1
                    counted = True
                    if result not in ("OK", "EXPECTEDFAIL") and not any(
                            c.find("failure") is not None for c in root.iter("testcase")):
                        failed += 1  # the program failed beyond its cases
                except ET.ParseError:
                    counted = False
            if not counted:
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result == "SKIP":
                    skipped += 1
                else:
                    failed += 1
    return passed, failed, skipped


def main():
    total = [0, 0, 0]
    for build in sys.argv[1:]:
        counts = count(build)
        if len(sys.argv) > 2:
            print(f"{build}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped", flush=True)
        total = [a + b for a, b in zip(total, counts)]
    passed, failed, skipped = total
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
