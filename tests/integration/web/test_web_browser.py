"""rcpilot-web in a real browser: headless Chromium (Debian's chromium and chromium-driver,
python3-selenium) against the real rcpilot on the sim profile and the real rcpilot-web.

Checks: the page loads; camera frames update and are never repeated; arm + local makes the car
lap; the e-stop button stops it; in user mode a joystick drag moves the car and releasing it
gives neutral; closing the tab that drives gives neutral; a range deleted on the tub page is
exactly what the tub reader then skips, and restoring it brings it back; a request without the
token on a non-loopback bind is refused (and such a bind without a token does not start).
Saves desktop and phone screenshots as build/web_desktop.png and build/web_phone.png.

Environment: RCPILOT_BINARY, RCPILOT_WEB_BINARY (ctest sets them), RCPILOT_SCREENSHOT_DIR."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.join(ROOT, "build", "bin")
try:
    from selenium import webdriver
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_paths():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    return browser, driver


def wait_for(what, condition, timeout_s):
    """Polls condition() until it returns something true; fails naming `what` after timeout_s."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = condition()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what} (last: {last!r})")


class WebBrowserTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        browser, driver = chromium_paths()
        if not HAVE_SELENIUM or not browser or not driver:
            raise unittest.SkipTest(
                "headless Chromium is missing: install chromium chromium-driver python3-selenium "
                "(scripts/install-deps --test) to run the browser tests")
        cls.rcpilot = os.environ.get("RCPILOT_BINARY", os.path.join(BIN, "rcpilot"))
        cls.web = os.environ.get("RCPILOT_WEB_BINARY", os.path.join(BIN, "rcpilot-web"))
        cls.shots = os.environ.get("RCPILOT_SCREENSHOT_DIR", os.path.join(ROOT, "build"))
        cls.tmp = tempfile.mkdtemp(prefix="rcpilot-web-test-")
        telemetry, control = free_port(), free_port()
        cls.overrides = []
        for kv in (f"telemetry.endpoint=tcp://127.0.0.1:{telemetry}",
                   f"control_api.endpoint=tcp://127.0.0.1:{control}",
                   "telemetry.frame_every_n_ticks=2", "control.autostart=false",
                   "control.mode=user", "log.status_interval_s=0",
                   "record.during_autopilot=true",
                   # as api_node.hpp: the self-test's inference rate holds on a loaded CI machine
                   "pilot.min_rate_hz=5",
                   f"record.path={cls.tmp}/tub"):
            cls.overrides += ["--set", kv]
        cls.logs = []
        cls.node = cls.start([cls.rcpilot] + cls.overrides, "rcpilot.log")
        cls.port = free_port()
        cls.server = cls.start([cls.web, "--port", str(cls.port)] + cls.overrides, "web.log")
        cls.url = f"http://127.0.0.1:{cls.port}/"
        wait_for("rcpilot-web to answer", cls.answers, 30)
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                    "--disable-dev-shm-usage"):
            options.add_argument(arg)
        try:  # Selenium 4 (Debian 12, Ubuntu 22.04)
            from selenium.webdriver.chrome.service import Service
            cls.driver = webdriver.Chrome(service=Service(driver), options=options)
        except (ImportError, TypeError):  # Selenium 3 (Debian 11)
            cls.driver = webdriver.Chrome(executable_path=driver, options=options)
        cls.driver.set_page_load_timeout(30)

    @classmethod
    def start(cls, argv, log_name):
        log = open(os.path.join(cls.tmp, log_name), "w")
        cls.logs.append(log)
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)

    @classmethod
    def answers(cls):
        try:
            return urllib.request.urlopen(cls.url, timeout=2).status == 200
        except OSError:
            return False

    @classmethod
    def tearDownClass(cls):
        if hasattr(cls, "driver"):
            cls.driver.quit()
        for proc in (getattr(cls, "server", None), getattr(cls, "node", None)):
            if proc and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for log in cls.logs:
            log.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- helpers --------------------------------------------------------------------------------
    def js(self, expression):
        return self.driver.execute_script("return " + expression)

    def state(self):
        return self.js("window.rcpilot.lastState") or {}

    def click(self, element_id):
        self.driver.find_element(By.ID, element_id).click()

    def command(self, cmd, **fields):
        """Sends a control API request through the page and waits for its reply."""
        self.driver.execute_script(
            "window.__reply = null; command(arguments[0], arguments[1], (r) => { window.__reply = r; });",
            cmd, fields)
        return wait_for(f"the reply to {cmd}", lambda: self.js("window.__reply"), 10)

    def open_page(self):
        self.driver.get(self.url)
        wait_for("the page's socket", lambda: self.js("window.rcpilot.connected"), 15)

    def claim(self):
        if not self.js("window.rcpilot.mine"):
            self.click("claim")
        wait_for("the drive controls", lambda: self.js("window.rcpilot.mine"), 10)

    # -- tests, in order ------------------------------------------------------------------------
    def test_1_page_loads_and_frames_update_without_repeats(self):
        self.open_page()
        self.assertEqual(self.driver.title, "rcpilot")
        first = wait_for("a frame", lambda: self.js("window.rcpilot.lastFrameSeq") > 0 and
                         self.js("window.rcpilot.lastFrameSeq"), 20)
        wait_for("30 frames shown", lambda: self.js("window.rcpilot.framesShown") >= 30, 30)
        self.assertGreater(self.js("window.rcpilot.lastFrameSeq"), first)
        self.assertEqual(self.js("window.rcpilot.repeats"), 0)
        wait_for("the effective config", lambda: "control.rate_hz: 50" in
                 self.js("document.getElementById('config').textContent"), 10)
        wait_for("the tunables with units", lambda: "norm -0.5 .. 0.5" in
                 self.js("document.getElementById('tunables').textContent"), 10)

    def test_2_arm_and_local_makes_the_car_lap_and_estop_stops_it(self):
        self.open_page()
        self.claim()
        # Autonomous modes wait for the node's start-up self-test (a few seconds after start).
        replies = []

        def local():
            replies.append(self.command("mode", mode="local"))
            return replies[-1]["ok"]
        try:
            wait_for("mode local (after the self-test)", local, 60)
        except AssertionError:
            self.fail(f"mode local refused for 60 s: {replies[-1].get('message')}")
        self.assertTrue(self.command("record", action="start")["ok"])  # for the tub page's test
        self.assertTrue(self.command("arm")["ok"])
        wait_for("the car to move", lambda: self.state().get("sim", {}).get("speed_mps", 0) > 0.3,
                 20)
        self.driver.save_screenshot(os.path.join(self.shots, "web_desktop.png"))
        wait_for("a lap", lambda: self.state().get("sim", {}).get("laps", 0) >= 1, 120)
        self.click("estop")
        wait_for("the e-stop in telemetry",
                 lambda: self.state().get("estop") and self.state().get("throttle") == 0, 5)
        self.assertEqual(self.state().get("reason"), "estop")
        self.assertTrue(self.command("record", action="stop")["ok"])
        self.assertTrue(self.command("clear_estop")["ok"])

    def test_3_joystick_drag_drives_in_user_mode_and_release_gives_neutral(self):
        self.open_page()
        self.claim()
        self.assertTrue(self.command("mode", mode="user")["ok"])
        self.assertTrue(self.command("arm")["ok"])
        pad = self.driver.find_element(By.ID, "pad")
        size = pad.size
        chain = ActionChains(self.driver)
        chain.move_to_element(pad).click_and_hold().move_by_offset(0, -int(size["height"] * 0.3))
        chain.perform()
        wait_for("operator throttle in telemetry",
                 lambda: (self.state().get("user") or {}).get("throttle", 0) > 0.2 and
                 self.state().get("throttle", 0) > 0, 5)
        wait_for("the car to move", lambda: self.state().get("sim", {}).get("speed_mps", 0) > 0.1,
                 10)
        ActionChains(self.driver).release().perform()
        wait_for("neutral after release", lambda: self.state().get("throttle") == 0 and
                 (self.state().get("user") or {}).get("throttle", 0) == 0, 3)

    def test_4_closing_the_driving_tab_gives_neutral(self):
        self.open_page()
        self.claim()
        self.assertTrue(self.command("mode", mode="user")["ok"])
        self.command("arm")
        self.click("claim")  # release: the new tab takes the controls
        watcher = self.driver.current_window_handle
        before = set(self.driver.window_handles)
        self.driver.execute_script("window.open('about:blank')")
        self.driver.switch_to.window((set(self.driver.window_handles) - before).pop())
        self.open_page()
        self.claim()
        ActionChains(self.driver).key_down(Keys.ARROW_UP).perform()
        wait_for("the keys to drive", lambda: self.state().get("throttle", 0) > 0, 5)
        self.driver.close()
        self.driver.switch_to.window(watcher)
        wait_for("neutral after the tab closed", lambda: self.state().get("throttle") == 0, 3)
        self.driver.set_window_size(390, 844)
        time.sleep(1)
        self.driver.save_screenshot(os.path.join(self.shots, "web_phone.png"))
        self.driver.set_window_size(1280, 900)

    def test_5_a_network_bind_needs_the_token(self):
        refused = subprocess.run([self.web, "--bind", "0.0.0.0", "--port", str(free_port())] +
                                 self.overrides, capture_output=True, text=True, timeout=20)
        self.assertEqual(refused.returncode, 2, refused.stderr)
        self.assertIn("web.token", refused.stderr)
        port = free_port()
        token = "a-test-token-0123456789"
        server = self.start([self.web, "--bind", "0.0.0.0", "--port", str(port), "--token",
                             token] + self.overrides, "web-token.log")
        try:
            base = f"http://127.0.0.1:{port}/"
            wait_for("the token server", lambda: self.status_of(base + "?token=" + token) == 200,
                     20)
            self.assertEqual(self.status_of(base), 401)
            self.assertEqual(self.status_of(base + "app.js"), 401)
            self.assertEqual(self.status_of(base + "?token=wrong-token-0123456"), 401)
            self.driver.get(base)
            self.assertIn("needs the token", self.driver.page_source)
            self.driver.get(base + "?token=" + token)
            wait_for("the socket with the token", lambda: self.js("window.rcpilot.connected"), 15)
        finally:
            server.terminate()
            server.wait(timeout=15)

    def test_6_the_tub_page_deletes_and_restores_exactly_the_chosen_range(self):
        self.driver.get(self.url + "tub.html")
        tub = wait_for("the tub's records", lambda: self.js("window.tubPage.tub") if (
            self.js("window.tubPage.tub") or {}).get("records", 0) >= 20 else None, 20)
        self.assertEqual(tub["deleted"], [])
        self.click("claim")
        wait_for("the drive controls", lambda: self.js("window.tubPage.mine"), 10)
        first = self.js("window.tubPage.session.first")
        a, b = first + 5, first + 14
        thumb = lambda i: self.driver.find_element(By.CSS_SELECTOR, f'figure[data-index="{i}"]')
        wait_for("the thumbnails", lambda: self.js(
            f"document.querySelector('figure[data-index=\"{b}\"] img').naturalWidth") > 0, 10)
        thumb(a).click()
        ActionChains(self.driver).key_down(Keys.SHIFT).click(thumb(b)).key_up(Keys.SHIFT).perform()
        self.assertEqual((self.js("window.tubPage.first"), self.js("window.tubPage.last")), (a, b))
        loaded = self.js("window.tubPage.loaded")
        self.click("delete")
        after = wait_for("the tub listed again", lambda: self.js("window.tubPage.tub") if
                         self.js("window.tubPage.loaded") > loaded else None, 10)
        self.assertEqual(after["deleted"], list(range(a, b + 1)))
        self.assertEqual(after["records"], tub["records"] - 10, "the tub reader skips exactly 10")
        self.assertEqual(self.manifest_deleted(), list(range(a, b + 1)))
        self.assertIn("deleted", thumb(a).get_attribute("class"))
        self.driver.save_screenshot(os.path.join(self.shots, "web_tub.png"))
        loaded = self.js("window.tubPage.loaded")
        self.click("restore")
        restored = wait_for("the tub listed again", lambda: self.js("window.tubPage.tub") if
                            self.js("window.tubPage.loaded") > loaded else None, 10)
        self.assertEqual(restored["deleted"], [])
        self.assertEqual(restored["records"], tub["records"])
        self.assertEqual(self.manifest_deleted(), [])

    def manifest_deleted(self):
        """deleted_indexes of the tub's manifest.json (line 5), read from the file."""
        with open(os.path.join(self.tmp, "tub", "manifest.json")) as f:
            return json.loads(f.read().splitlines()[4])["deleted_indexes"]

    @staticmethod
    def status_of(url):
        try:
            return urllib.request.urlopen(url, timeout=2).status
        except urllib.error.HTTPError as e:
            return e.code
        except OSError:
            return None


if __name__ == "__main__":
    unittest.main(verbosity=2)
