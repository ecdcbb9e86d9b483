"""A headless Chromium driven through chromedriver's W3C WebDriver HTTP API, stdlib only (Debian's chromium and
chromium-driver; scripts/install-deps.sh --test installs them). Used by test_report_browser.py; also a
screenshot tool:

  /usr/bin/python3 tests/python/browser.py report.html shot.png [width]
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--hide-scrollbars"]


def missing():
    """Why the browser cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not installed (Debian package chromium)"
    if not shutil.which("chromedriver"):
        return "chromedriver not installed (Debian package chromium-driver)"
    return None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self, width=1400, height=1000):
        self.profile = tempfile.mkdtemp(prefix="ctxbench-chromium-")
        self.port = _free_port()
        self.driver = subprocess.Popen([shutil.which("chromedriver"), f"--port={self.port}"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                self._call("GET", "/status")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        caps = {"browserName": "chrome", "goog:loggingPrefs": {"browser": "ALL"},
                "goog:chromeOptions": {"binary": CHROMIUM,
                                       "args": FLAGS + [f"--user-data-dir={self.profile}",
                                                        f"--window-size={width},{height}"]}}
        try:
            self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]
        except Exception:
            self.close()
            raise
        self.width, self.height = width, height

    def _call(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                out = json.loads(resp.read().decode() or "{}")
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"webdriver {method} {path}: {e.read().decode()[:500]}")
        value = out.get("value", out)
        return value

    def s(self, method, path, body=None):
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, path):
        self.s("POST", "/url", {"url": "file://" + os.path.abspath(path)})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def console(self):
        """Browser log entries since the last call: [{"level", "message", ...}]."""
        return self.s("POST", "/se/log", {"type": "browser"})

    def cdp(self, cmd, params=None):
        return self.s("POST", "/goog/cdp/execute", {"cmd": cmd, "params": params or {}})

    def screenshot(self, out):
        """The whole page, width as opened, into a PNG file."""
        h = self.js("return Math.ceil(document.documentElement.scrollHeight)")
        self.cdp("Emulation.setDeviceMetricsOverride",
                 {"width": self.width, "height": h, "deviceScaleFactor": 1, "mobile": False})
        shot = self.cdp("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        with open(out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        self.cdp("Emulation.clearDeviceMetricsOverride")
        return h

    def close(self):
        try:
            if getattr(self, "session", None):
                self._call("DELETE", f"/session/{self.session}", timeout=30)
        except Exception:
            pass
        self.driver.terminate()
        try:
            self.driver.wait(10)
        except subprocess.TimeoutExpired:
            self.driver.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    why = missing()
    if why:
        sys.exit(why)
    b = Browser(width=int(sys.argv[3]) if len(sys.argv) > 3 else 1400)
    try:
        b.open(sys.argv[1])
        print(sys.argv[2], b.screenshot(sys.argv[2]), "px tall")
        for e in b.console():
            print("console:", e.get("level"), e.get("message"))
    finally:
        b.close()


if __name__ == "__main__":
    main()
