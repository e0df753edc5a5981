"""The README's Configuration table is true: every environment variable the settings read is there."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_read_in_settings_is_documented():
    settings_source = (ROOT / "config" / "settings.py").read_text()
    names = set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    names |= set(re.findall(r"""_required\(\s*["']([A-Z][A-Z0-9_]+)["']""", settings_source))
    assert {"DATABASE_URL", "SECRET_KEY", "PORTAL_PRODUCTION"} <= names  # the scan finds them
    readme = (ROOT / "README.md").read_text()
    configuration = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in names if f"`{name}`" not in configuration)
    assert missing == [], f"Add to README.md, Configuration: {missing}"


def test_readme_lists_every_demo_login():
    from portal.demo import DEMO_PASSWORD

    readme = (ROOT / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    for email in ("key", "mat", "head", "business", "teacher", "governor", "staff", "finance"):
        assert f"`{email}@demo.test`" in readme
