#!/usr/bin/env python3
"""Counts the test cases of the last `meson test` run.

GoogleTest programs write a JUnit XML file each (--gtest_output); their
cases are counted one by one. Other meson tests (the QEMU scenarios) count
as one case each. A GoogleTest program that failed without writing its XML
(a crash) counts as one failure. Prints "N passed, N failed, N skipped".
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def main():
    build = sys.argv[1]
    log = os.path.join(build, "meson-logs", "testlog.json")
    passed = failed = skipped = 0
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
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
