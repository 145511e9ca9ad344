import sys

import pytest

from glassnet.errors import MissingDependencyError
from glassnet.extras import require_extra


def test_a_missing_extra_names_the_extra_and_how_to_install_it():
    with pytest.raises(MissingDependencyError, match=r"pip install 'glassnet\[search\]'"):
        require_extra("glassnet_no_such_module", "search", "glassnet search")


def test_an_error_inside_an_installed_module_is_not_mistaken_for_a_missing_extra(
        tmp_path, monkeypatch):
    (tmp_path / "broken_extra.py").write_text("import glassnet_no_such_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match="glassnet_no_such_dependency"):
        require_extra("broken_extra", "serve", "a test")
    sys.modules.pop("broken_extra", None)
