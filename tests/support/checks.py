"""Named checks for the Python tests: each prints "ok" or "FAIL" and its name, and summary() turns
them into the exit status."""

failures = []
passed = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name)
    if ok:
        passed.append(name)
    else:
        failures.append(name)
        if detail:
            print("\n".join("     " + line for line in str(detail).splitlines()))


def summary(checks_expected=True):
    """Prints how many checks failed or passed; 1 if one failed, or if none ran while some were
    expected, else 0."""
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    if not passed and checks_expected:
        print("FAIL no check ran")
        return 1
    print(f"{len(passed)} check(s) passed")
    return 0
