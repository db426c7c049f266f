#!/usr/bin/env bash
# Install Debian's chromium and chromium-driver for the site's browser test (tests/docs/test_site.py),
# where they are missing and apt-get exists (as root, or through passwordless sudo). Never fails the
# install: where it cannot install them it says how, and the browser test fails with the same line.
set -u
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
    exit 0
fi
hint="install them with: sudo apt-get install chromium chromium-driver"
if ! command -v apt-get >/dev/null; then
    echo "warning: Chromium and ChromeDriver are missing and there is no apt-get; $hint (or your system's packages)" >&2
    exit 0
fi
if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "warning: Chromium and ChromeDriver are missing and sudo asks for a password; $hint" >&2
    exit 0
fi
echo "installing Debian's chromium and chromium-driver for the site's browser test (apt-get)"
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver; } >/dev/null; then
    echo "warning: apt-get could not install chromium chromium-driver; $hint" >&2
fi
exit 0
