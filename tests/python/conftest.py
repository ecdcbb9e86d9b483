import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))


@pytest.fixture(scope="module")
def chromium():
    """A headless Chromium at 1400 x 1000 CSS px (tests/python/browser.py), or the test skipped with the reason."""
    import browser
    why = browser.missing()
    if why:
        pytest.skip(why)
    b = browser.Browser(width=1400, height=1000)
    yield b
    b.close()
