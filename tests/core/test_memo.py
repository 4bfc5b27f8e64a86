"""Process memory: built once, kept, forgotten on demand."""

from masthead.core import memo


def test_a_value_is_built_once_and_then_remembered():
    calls = []

    def build():
        calls.append(1)
        return {"name": "The Masthead Review"}

    first = memo.remembered("test:publication", build)
    second = memo.remembered("test:publication", build)
    assert first == {"name": "The Masthead Review"}
    assert second is first  # the very object, not a copy
    assert len(calls) == 1


def test_none_is_remembered_too():
    calls = []
    for _ in range(3):
        assert memo.remembered("test:missing", lambda: calls.append(1)) is None
    assert len(calls) == 1


def test_forgetting_makes_the_next_read_build_again():
    memo.remembered("test:rules", lambda: "old rules")
    memo.forget("test:rules")
    assert memo.remembered("test:rules", lambda: "new rules") == "new rules"


def test_a_value_kept_for_no_time_is_built_every_time():
    assert memo.remembered("test:now", lambda: 1, seconds=0) == 1
    assert memo.remembered("test:now", lambda: 2, seconds=0) == 2
