"""Resumable, checksummed downloads against a real HTTP server on 127.0.0.1, and safe archive extraction."""

from __future__ import annotations

import hashlib
import io
import socket
import tarfile
import zipfile
from pathlib import Path

import pytest
from http_server import Server

from xlt_bench.download import Download, extract, fetch
from xlt_bench.errors import XltBenchError
from xlt_bench.files import sha256_of

XNLI_HEADER = "language\tgold_label\tsentence1\tsentence2\tpromptID\tpairID\tgenre"
XNLI = {
    "XNLI-1.0/xnli.test.tsv": f"{XNLI_HEADER}\n"
    "de\tentailment\tEin Mann spielt Gitarre.\tEin Mann macht Musik.\t1\t1\tfiction\n"
    "de\tcontradiction\tDie Katze schläft.\tDie Katze rennt.\t2\t2\tfiction\n",
}
TATOEBA = {
    "tatoeba/v1/tatoeba.deu-eng.deu": "Ich habe Hunger.\nWo ist der Bahnhof?\n",
    "tatoeba/v1/tatoeba.deu-eng.eng": "I am hungry.\nWhere is the station?\n",
}
BUCC = {
    "bucc2018/de-en/bucc2018-de-en.sample.de": "de-000000001\tDas ist ein Satz.\nde-000000002\tNoch ein Satz.\n",
    "bucc2018/de-en/bucc2018-de-en.sample.en": "en-000000001\tThis is a sentence.\nen-000000002\tOne more.\n",
}


def tar_bytes(files: dict[str, str], mode: str = "w:gz", links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


XNLI_TGZ = tar_bytes(XNLI)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server(http_server: Server) -> Server:
    http_server.files = {"xnli.tar.gz": XNLI_TGZ, "tatoeba.zip": zip_bytes(TATOEBA)}
    return http_server


class TestFetch:
    def test_verified_download_writes_a_sidecar_and_is_not_fetched_again(self, server: Server, tmp_path: Path):
        data = server.files["xnli.tar.gz"]
        item = Download(server.url("/files/xnli.tar.gz?download=1"), sha256=sha(data).upper(), size=len(data))
        path = fetch(item, tmp_path / "downloads", progress=True)
        assert path == tmp_path / "downloads" / "xnli.tar.gz"
        assert path.read_bytes() == data
        assert (tmp_path / "downloads" / "xnli.tar.gz.sha256").read_text().split() == [sha(data), "xnli.tar.gz"]
        assert sorted(p.name for p in path.parent.iterdir()) == ["xnli.tar.gz", "xnli.tar.gz.sha256"]
        seen = len(server.requests)
        assert fetch(item, tmp_path / "downloads", progress=False) == path
        assert len(server.requests) == seen

    def test_unknown_checksum_is_recorded_and_a_later_change_on_the_server_is_detected(
        self, server: Server, tmp_path: Path
    ):
        item = Download(server.url("/files/tatoeba.zip"), filename="tatoeba-v1.zip")
        path = fetch(item, tmp_path, progress=False)
        assert sha256_of(path) == sha(server.files["tatoeba.zip"])
        assert (tmp_path / "tatoeba-v1.zip.sha256").read_text().startswith(sha256_of(path))
        seen = len(server.requests)
        fetch(item, tmp_path, progress=False)
        assert len(server.requests) == seen

        path.unlink()
        server.files["tatoeba.zip"] = zip_bytes({**TATOEBA, "tatoeba/v1/extra.txt": "new\n"})
        with pytest.raises(XltBenchError, match="recorded in .*tatoeba-v1.zip.sha256") as error:
            fetch(item, tmp_path, progress=False)
        assert sha(server.files["tatoeba.zip"]) in str(error.value)
        assert not path.exists()

    @pytest.mark.parametrize("code", [302, 307])
    def test_redirects_are_followed(self, server: Server, tmp_path: Path, code: int):
        data = server.files["tatoeba.zip"]
        path = fetch(Download(server.url(f"/redirect{code}/files/tatoeba.zip"), sha256=sha(data)), tmp_path, False)
        assert path.name == "tatoeba.zip"
        assert path.read_bytes() == data
        assert [p for p, _ in server.requests] == [f"/redirect{code}/files/tatoeba.zip", "/files/tatoeba.zip"]

    def test_truncated_download_keeps_only_the_part_file_and_resumes_on_the_next_call(
        self, server: Server, tmp_path: Path
    ):
        data = server.files["xnli.tar.gz"]
        item = Download(server.url("/flaky/xnli.tar.gz"), sha256=sha(data))
        half = len(data) // 2
        with pytest.raises(XltBenchError) as error:
            fetch(item, tmp_path, progress=False, retries=0)
        message = str(error.value)
        assert message == (
            f"{item.url}: download incomplete after 1 attempt (got {half} of {len(data)} bytes); "
            "run the command again to resume"
        )
        assert not (tmp_path / "xnli.tar.gz").exists()
        assert (tmp_path / "xnli.tar.gz.part").read_bytes() == data[:half]

        path = fetch(item, tmp_path, progress=False, retries=0)
        assert sha256_of(path) == sha(data)
        assert server.requests[-1] == ("/flaky/xnli.tar.gz", f"bytes={half}-")
        assert not (tmp_path / "xnli.tar.gz.part").exists()

    def test_retries_resume_within_one_call_and_the_range_survives_a_redirect(self, server: Server, tmp_path: Path):
        data = server.files["xnli.tar.gz"]
        path = fetch(Download(server.url("/redirect307/flaky/xnli.tar.gz"), sha256=sha(data)), tmp_path, False, 1)
        assert sha256_of(path) == sha(data)
        resumed = f"bytes={len(data) // 2}-"
        assert server.requests == [
            ("/redirect307/flaky/xnli.tar.gz", None),
            ("/flaky/xnli.tar.gz", None),
            ("/redirect307/flaky/xnli.tar.gz", resumed),
            ("/flaky/xnli.tar.gz", resumed),
        ]

    def test_checksum_mismatch_names_both_checksums_and_leaves_nothing(self, server: Server, tmp_path: Path):
        item = Download(server.url("/files/tatoeba.zip"), sha256="0" * 64)
        with pytest.raises(XltBenchError) as error:
            fetch(item, tmp_path, progress=False)
        actual = sha(server.files["tatoeba.zip"])
        assert str(error.value) == f"{item.url}: sha256 mismatch: expected {'0' * 64}, got {actual}"
        assert list(tmp_path.iterdir()) == []

    def test_size_mismatch_leaves_nothing(self, server: Server, tmp_path: Path):
        item = Download(server.url("/files/tatoeba.zip"), size=3)
        with pytest.raises(XltBenchError, match=f"expected 3 bytes, got {len(server.files['tatoeba.zip'])}$"):
            fetch(item, tmp_path, progress=False)
        assert list(tmp_path.iterdir()) == []

    @pytest.mark.parametrize(
        ("path", "status"), [("/files/missing.zip", "404 Not Found"), ("/status409/x.tar.gz", "409 Conflict")]
    )
    def test_http_error_is_one_line(self, server: Server, tmp_path: Path, path: str, status: str):
        url = server.url(path)  # 409: what XGLUE's former archive address answers
        with pytest.raises(XltBenchError) as error:
            fetch(Download(url), tmp_path, progress=False)
        assert str(error.value) == f"{url}: HTTP {status}"
        assert list(tmp_path.iterdir()) == []

    def test_refused_connection_is_one_line(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("no_proxy", "*")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        url = f"http://127.0.0.1:{port}/xnli.tar.gz"
        with pytest.raises(XltBenchError, match=r"^http://127\.0\.0\.1:\d+/xnli\.tar\.gz: cannot connect \(.*\)$"):
            fetch(Download(url), tmp_path, progress=False)
        assert list(tmp_path.iterdir()) == []

    def test_a_server_ignoring_the_range_restarts_from_zero(self, server: Server, tmp_path: Path):
        data = server.files["xnli.tar.gz"]
        (tmp_path / "xnli.tar.gz.part").write_bytes(b"stale bytes from another file")
        path = fetch(Download(server.url("/norange/xnli.tar.gz"), sha256=sha(data)), tmp_path, progress=False)
        assert path.read_bytes() == data
        assert server.requests == [("/norange/xnli.tar.gz", "bytes=29-")]

    def test_a_part_file_that_is_already_complete_is_only_verified(self, server: Server, tmp_path: Path):
        data = server.files["xnli.tar.gz"]
        (tmp_path / "xnli.tar.gz.part").write_bytes(data)
        path = fetch(Download(server.url("/files/xnli.tar.gz"), sha256=sha(data)), tmp_path, progress=False)
        assert path.read_bytes() == data
        assert server.requests == [("/files/xnli.tar.gz", f"bytes={len(data)}-")]  # answered 416

    def test_a_part_file_longer_than_the_file_starts_over(self, server: Server, tmp_path: Path):
        data = server.files["tatoeba.zip"]
        (tmp_path / "tatoeba.zip.part").write_bytes(data + b"junk")
        path = fetch(Download(server.url("/files/tatoeba.zip"), sha256=sha(data)), tmp_path, progress=False)
        assert path.read_bytes() == data


class TestExtract:
    @pytest.mark.parametrize(
        ("name", "content", "files"),
        [
            ("xnli.tar.gz", XNLI_TGZ, XNLI),
            ("tatoeba.zip", zip_bytes(TATOEBA), TATOEBA),
            ("bucc2018-de-en.sample-gold.tar.bz2", tar_bytes(BUCC, "w:bz2"), BUCC),
            ("plain.tar", tar_bytes(BUCC, "w"), BUCC),
        ],
    )
    def test_formats_and_returned_files(self, tmp_path: Path, name: str, content: bytes, files: dict[str, str]):
        archive = tmp_path / name
        archive.write_bytes(content)
        into = tmp_path / "data"
        extracted = extract(archive, into)
        assert extracted == sorted(into / member for member in files)
        assert {path.relative_to(into).as_posix(): path.read_text(encoding="utf-8") for path in extracted} == files
        assert (into / f".extracted-{name}").is_file()
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    def test_second_call_does_not_extract_again(self, tmp_path: Path):
        archive = tmp_path / "xnli.tar.gz"
        archive.write_bytes(XNLI_TGZ)
        first = extract(archive, tmp_path / "data")
        before = first[0].stat().st_mtime_ns
        archive.write_bytes(b"no longer an archive")
        assert extract(archive, tmp_path / "data") == first
        assert first[0].stat().st_mtime_ns == before

    def test_several_archives_share_a_folder(self, tmp_path: Path):
        (tmp_path / "xnli.tar.gz").write_bytes(XNLI_TGZ)
        (tmp_path / "bucc.tar.bz2").write_bytes(tar_bytes({**BUCC, "XNLI-1.0/README": "other\n"}, "w:bz2"))
        xnli = extract(tmp_path / "xnli.tar.gz", tmp_path / "data")
        bucc = extract(tmp_path / "bucc.tar.bz2", tmp_path / "data")
        assert all(path.is_file() for path in xnli + bucc)
        assert len(bucc) == 3
        assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
            ".extracted-bucc.tar.bz2",
            ".extracted-xnli.tar.gz",
            "XNLI-1.0",
            "bucc2018",
        ]

    @pytest.mark.parametrize("packing", ["tar", "zip"])
    def test_members_extracts_one_part_of_an_archive(self, tmp_path: Path, packing: str):
        files = {"xglue/NER/de.test": "a B-PER\n", "xglue/NERX/x": "no\n", "xglue/POS/de.test": "a NOUN\n"}
        archive = tmp_path / f"xglue.{packing}"
        archive.write_bytes(tar_bytes(files, "w:gz") if packing == "tar" else zip_bytes(files))
        ner = extract(archive, tmp_path / "ner", members="xglue/NER/")
        assert ner == [tmp_path / "ner" / "xglue" / "NER" / "de.test"]  # not the NERX sibling, not POS
        assert (tmp_path / "ner" / f".extracted-xglue.{packing}-xglue_NER").is_file()
        pos = extract(archive, tmp_path / "ner", members="xglue/POS")  # a second part may share the folder
        assert pos == [tmp_path / "ner" / "xglue" / "POS" / "de.test"]
        with pytest.raises(XltBenchError, match=r"xglue\.(tar|zip): no member below 'xglue/QG'"):
            extract(archive, tmp_path / "qg", members="xglue/QG")

    @pytest.mark.parametrize(
        ("content", "member", "problem"),
        [
            (tar_bytes({"../evil.txt": "x"}), "../evil.txt", "would be written outside"),
            (zip_bytes({"tatoeba/../../evil.txt": "x"}), "tatoeba/../../evil.txt", "would be written outside"),
            (tar_bytes({"/tmp/evil.txt": "x"}), "/tmp/evil.txt", "has an absolute path"),
            (tar_bytes({}, links={"escape": "../outside"}), "escape", "links outside"),
            (tar_bytes({}, links={"etc": "/etc"}), "etc", "links outside"),
            # harmless on its own (`up` is the extraction folder), but `up/../evil.txt` then leaves it
            (tar_bytes({"a/up/../evil.txt": "x"}, links={"a/up": ".."}), "a/up/../evil.txt", "would be written"),
        ],
    )
    def test_members_leaving_the_folder_are_refused(self, tmp_path: Path, content: bytes, member: str, problem: str):
        archive = tmp_path / "bad.tar.gz"
        archive.write_bytes(content)
        with pytest.raises(XltBenchError) as error:
            extract(archive, tmp_path / "out" / "data")
        assert str(error.value).startswith(f"{archive}: member {member!r} {problem}")
        assert list((tmp_path / "out").iterdir()) == []
        assert not (tmp_path / "evil.txt").exists()

    def test_a_file_that_is_not_an_archive_is_refused(self, tmp_path: Path):
        text = tmp_path / "xnli.test.tsv"
        text.write_text(XNLI["XNLI-1.0/xnli.test.tsv"], encoding="utf-8")
        with pytest.raises(XltBenchError, match=r"xnli\.test\.tsv: not a zip or tar archive$"):
            extract(text, tmp_path / "data")
        assert not (tmp_path / "data").exists()
        with pytest.raises(XltBenchError, match=r"missing\.zip: file not found$"):
            extract(tmp_path / "missing.zip", tmp_path / "data")
