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


def test_a_value_is_rebuilt_once_its_seconds_have_passed():
    now = [100.0]
    memory = memo.Memo(maxsize=10, clock=lambda: now[0])
    assert memory.remembered("test:head", lambda: "first", seconds=5) == "first"
    now[0] = 104.9
    assert memory.remembered("test:head", lambda: "second", seconds=5) == "first"
    now[0] = 105.0
    assert memory.remembered("test:head", lambda: "second", seconds=5) == "second"
    assert memory.remembered("test:head", lambda: "third", seconds=5) == "second"


def test_the_least_recently_read_entry_is_the_one_pushed_out():
    memory = memo.Memo(maxsize=2)
    memory.remembered("a", lambda: "A")
    memory.remembered("b", lambda: "B")
    memory.remembered("a", lambda: "never built")  # "a" is now the more recent of the two
    memory.remembered("c", lambda: "C")
    assert memory.remembered("a", lambda: "rebuilt") == "A"
    assert memory.remembered("b", lambda: "rebuilt") == "rebuilt"
