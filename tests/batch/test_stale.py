"""Clean-up of stale work: only inside the output folder, never through a link."""

from pipeline.batch.stale import drop_stale_work


def test_drop_stale_work_keeps_this_plan_and_removes_leftovers(tmp_path):
    work = tmp_path / "_work"
    for relative in ("final/p1/s1.records.jsonl", "final/p0/s0.records.jsonl", "index/p1.json", "index/p0.json",
                     "plans/p1.json", "plans/p0.json", "clean/s1.jsonl", "clean/s0.jsonl",
                     "clean/s2.jsonl-luigi-tmp-0123456789", "publish/manifest.json.42.tmp"):
        (work / relative).parent.mkdir(parents=True, exist_ok=True)
        (work / relative).write_text("x", encoding="utf-8")
    drop_stale_work(str(tmp_path), "p1", {"s1"})
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()) == \
        ["clean/s1.jsonl", "final/p1/s1.records.jsonl", "index/p1.json", "plans/p1.json"]


def test_drop_stale_work_follows_no_link_out_of_the_work_folder(tmp_path):
    outside = tmp_path / "outside"
    for relative in ("deep/important.tmp", "plan0/s0.records.jsonl", "s0.jsonl", "x-luigi-tmp-1"):
        (outside / relative).parent.mkdir(parents=True, exist_ok=True)
        (outside / relative).write_text("keep", encoding="utf-8")
    work = tmp_path / "out" / "_work"
    for folder in ("final", "clean"):
        (work / folder).mkdir(parents=True)
    (work / "scratch").symlink_to(outside / "deep")             # a linked folder holding a *.tmp
    (work / "final" / "p0").symlink_to(outside / "plan0")        # an older plan's folder, linked
    (work / "clean" / "s0.jsonl").symlink_to(outside / "s0.jsonl")  # a stale clean shard, linked
    (work / "clean" / "s9.jsonl-luigi-tmp-2").symlink_to(outside / "x-luigi-tmp-1")
    drop_stale_work(str(tmp_path / "out"), "p1", {"s1"})
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == \
        ["deep/important.tmp", "plan0/s0.records.jsonl", "s0.jsonl", "x-luigi-tmp-1"]
    assert sorted(p.relative_to(work).as_posix() for p in work.rglob("*")) == ["clean", "final", "scratch"]


def test_drop_stale_work_leaves_a_linked_work_folder_alone(tmp_path):
    outside = tmp_path / "s"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "important.tmp").write_text("k\n", encoding="utf-8")
    (outside / "index").mkdir()
    (outside / "index" / "mine.json").write_text("{}", encoding="utf-8")
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "_work").symlink_to(outside)
    drop_stale_work(str(tmp_path / "o"), "p1", set())
    assert sorted(p.relative_to(outside).as_posix() for p in outside.rglob("*") if p.is_file()) == \
        ["deep/important.tmp", "index/mine.json"]


def test_stale_keys_in_object_storage_follow_the_folder_rules():
    from pipeline.batch.stale import stale_key

    names = ["_work/final/p0/s1.records.jsonl", "_work/final/p1/s1.records.jsonl", "_work/index/p0.json",
             "_work/index/p1.json", "_work/index/p0/s1.json", "_work/index/p1/s1.json", "_work/plans/p0.json",
             "_work/plans/p1.json", "_work/clean/s0.jsonl", "_work/clean/s1.jsonl", "_work/lock",
             "_work/tmp/ab.tmp", "records-s0.jsonl", "_state/site-stats-p0.json"]
    assert [name for name in names if stale_key(name, "p1", {"s1"})] == [
        "_work/final/p0/s1.records.jsonl", "_work/index/p0.json", "_work/index/p0/s1.json", "_work/plans/p0.json",
        "_work/clean/s0.jsonl"]
