"""Fixtures of the package's tests: `chrome`, headless Chromium driven by selenium (Debian's
`chromium` and `chromium-driver`; .ci/run installs them) for the browser tests (the admin, the
week's picture). Missing, it skips the test, or fails it under BEAT_SYNC_REQUIRE_POSTGRES=1
(CI, which installs it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def chrome(tmp_path: Path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        message = "needs Debian's chromium and chromium-driver (apt-get install -y ...)"
        if os.environ.get("BEAT_SYNC_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)  # CI installs them: missing there is a failure
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.add_argument("--window-size=1280,1000")
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.implicitly_wait(10)
    try:
        yield driver
    finally:
        driver.quit()
