# Debian's chromium for the browser tests (the HTML report, the image-search page), driven by
# Playwright's Python package through executable_path: Playwright downloads no browser.
if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium || echo "note: could not install chromium; the browser tests will say so"
fi
if [ -x /usr/bin/chromium ]; then
    export GLASSNET_TEST_CHROMIUM=/usr/bin/chromium
fi
