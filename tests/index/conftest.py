import pytest

from tests.chroma_server import CHROMA, chroma_server


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory):
    """A real Chroma server on loopback (``chroma run``), one per test module, stopped after it."""
    if not CHROMA.exists():
        pytest.skip(f"no chroma command at {CHROMA}")
    with chroma_server(tmp_path_factory.mktemp("chroma-db")) as url:
        yield url
