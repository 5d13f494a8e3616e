"""Session context: nesting, and how the id travels into threads, pools and tasks."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

from session_explorer.tracing import (
    ContextThreadPoolExecutor,
    bind_context,
    context_thread,
    new_session_id,
    run_in_executor,
    session,
    session_id_context,
    start_thread,
)


def test_session_sets_and_restores_and_nests() -> None:
    assert session_id_context.get() == "in-progress"
    with session("outer") as outer:
        assert outer == "outer" == session_id_context.get()
        with session() as inner:
            assert inner != "outer"
            assert session_id_context.get() == inner
        assert session_id_context.get() == "outer"
    assert session_id_context.get() == "in-progress"


def test_session_restores_after_an_exception() -> None:
    try:
        with session("boom"):
            raise RuntimeError("x")
    except RuntimeError:
        pass
    assert session_id_context.get() == "in-progress"


def test_new_session_ids_are_unique_within_one_second() -> None:
    ids = [new_session_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert ids[1].startswith(ids[0][:15])


def test_plain_thread_and_pool_do_not_inherit_the_context() -> None:
    """The seed claims threads inherit the id; on 3.11-3.13 they do not."""
    seen: list[str] = []
    with session("parent"):
        t = threading.Thread(target=lambda: seen.append(session_id_context.get()))
        t.start()
        t.join()
        with ThreadPoolExecutor(1) as pool:
            seen.append(pool.submit(session_id_context.get).result())
    assert seen == ["in-progress", "in-progress"]


def test_context_pool_carries_the_submitters_id() -> None:
    with ContextThreadPoolExecutor(max_workers=2) as pool:
        futures = []
        for sid in ("a", "b", "c", "d"):
            with session(sid):
                futures.append(pool.submit(session_id_context.get))
        assert [f.result() for f in futures] == ["a", "b", "c", "d"]
        with session("m"):
            assert list(pool.map(lambda _: session_id_context.get(), range(3))) == ["m"] * 3


def test_context_pool_job_changes_do_not_leak_into_later_jobs() -> None:
    def set_and_get(value: str) -> str:
        session_id_context.set(value)
        return session_id_context.get()

    with ContextThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(set_and_get, "leaky").result() == "leaky"
        assert pool.submit(session_id_context.get).result() == "in-progress"


def test_thread_helpers_carry_the_id() -> None:
    seen: list[str] = []
    with session("threaded"):
        start_thread(lambda: seen.append(session_id_context.get())).join()
        t = context_thread(lambda tag: seen.append(tag + session_id_context.get()), "x:")
    t.start()  # started outside the session: still runs in the captured context
    t.join()
    assert seen == ["threaded", "x:threaded"]


def test_bind_context() -> None:
    with session("bound"):
        fn = bind_context(session_id_context.get)
    assert session_id_context.get() == "in-progress"
    assert fn() == "bound"


def test_asyncio_paths() -> None:
    """Tasks and to_thread copy the context; run_in_executor does not, our helper does."""

    async def main() -> dict[str, str]:
        results: dict[str, str] = {}
        with session("async"):
            async def task() -> str:
                return session_id_context.get()

            results["task"] = await asyncio.create_task(task())
            results["gather"] = (await asyncio.gather(task()))[0]
            results["to_thread"] = await asyncio.to_thread(session_id_context.get)
            loop = asyncio.get_running_loop()
            with ThreadPoolExecutor(1) as pool:
                results["run_in_executor"] = await loop.run_in_executor(pool, session_id_context.get)
                results["helper"] = await run_in_executor(pool, session_id_context.get)
        return results

    assert asyncio.run(main()) == {
        "task": "async",
        "gather": "async",
        "to_thread": "async",
        "run_in_executor": "in-progress",
        "helper": "async",
    }


def test_tasks_are_isolated_from_each_other() -> None:
    async def worker(sid: str) -> str:
        with session(sid):
            await asyncio.sleep(0.001)
            return session_id_context.get()

    async def main() -> list[str]:
        return list(await asyncio.gather(*(worker(f"s{i}") for i in range(5))))

    assert asyncio.run(main()) == [f"s{i}" for i in range(5)]
    assert session_id_context.get() == "in-progress"


def test_restore_from_another_context_falls_back() -> None:
    ctx = contextvars.copy_context()
    holder = {}

    def open_session() -> None:
        holder["cm"] = session("elsewhere")
        holder["cm"].__enter__()

    ctx.run(open_session)
    holder["cm"].__exit__(None, None, None)  # token made in another context
    assert session_id_context.get() == "in-progress"
