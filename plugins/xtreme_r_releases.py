"""Download locations and checksums of the release files XTREME-R adds to XTREME's (`xtreme_releases.py`).

Files in GitHub repositories are read at the newest commit of each repository's default branch when these were
recorded (2026-12), so their URLs cannot move; sizes and sha256 were computed from the git blobs at that commit. XCOPA
is its v1.1 (CRLF line endings; Italian questions corrected), as XTREME-R's download script fetches from `master`.
UD v2.7's archive checksum is the one pyconll records for it (tests/int/test_corpora.py); its size is not published.
"""

from __future__ import annotations

from xlt_bench.plugins.xtreme_releases import LASER_REPO, XQUAD_REPO, github_files
from xlt_bench.tasks import Release

UD_27 = Release(
    "https://lindat.mff.cuni.cz/repository/xmlui/bitstream/handle/11234/1-3424/ud-treebanks-v2.7.tgz",
    "ee61f186ac5701440f9d2889ca26da35f18d433255b5a188b0df30bc1525502b",
    extract=True,
)
XQUAD_RO = github_files(
    XQUAD_REPO,
    (("ro", "xquad.ro.json", "94f8d54e93ad2b7dd2e76dd921a666b5b8eff2d4379df9f179c42b445f09643f", 661158),),
)
TATOEBA = github_files(
    LASER_REPO,
    (
        (
            "az",
            "data/tatoeba/v1/tatoeba.aze-eng.aze",
            "b0daccaaebeaa60ad24dcf42597a93afd238d8c263618db7c5ed6babe7d663e6",
            31763,
        ),
        (
            "az",
            "data/tatoeba/v1/tatoeba.aze-eng.eng",
            "7c428a247940252ddf75ee6de0172dc1cb6df922e7382412fc330590084c20a9",
            27637,
        ),
        (
            "lt",
            "data/tatoeba/v1/tatoeba.lit-eng.lit",
            "1fa3d054d66dae6ffa69e5d23e1860f17d6c32cee4bdc4c2eafe9b3c4a37a481",
            33379,
        ),
        (
            "lt",
            "data/tatoeba/v1/tatoeba.lit-eng.eng",
            "5dfc3ef9437f0a8495f39249a1010237e7503ca6803fd6e73a2621b5165b79cc",
            31864,
        ),
        (
            "pl",
            "data/tatoeba/v1/tatoeba.pol-eng.pol",
            "93e1378a66dfc83fcab4cf115f3eaa2635b42648e4746478f83f71cc6291cbfd",
            36510,
        ),
        (
            "pl",
            "data/tatoeba/v1/tatoeba.pol-eng.eng",
            "d21cca6c6c28a9df7e8ecdc923672311ca3395241b58a5749b34854d6c65df8f",
            34638,
        ),
        (
            "uk",
            "data/tatoeba/v1/tatoeba.ukr-eng.ukr",
            "7d11ce1654600e3a3a2a84ce06aff213e22903d9e75f9f5eec09f85ce85abf2a",
            52080,
        ),
        (
            "uk",
            "data/tatoeba/v1/tatoeba.ukr-eng.eng",
            "f0df48c6911ca71b315a5df5a78438bda23129f375fe50dc7ebf6a0f66bd05e0",
            29851,
        ),
        (
            "ro",
            "data/tatoeba/v1/tatoeba.ron-eng.ron",
            "ad5c4a9f4920718203534d1f8271e27021b9af54b2c908dec66851d4dc681fd4",
            37990,
        ),
        (
            "ro",
            "data/tatoeba/v1/tatoeba.ron-eng.eng",
            "1064c638220dc9de0868baee327e091ae815214674295b62b13448ef442c448d",
            34494,
        ),
    ),
)
XCOPA = github_files(
    "https://raw.githubusercontent.com/cambridgeltl/xcopa/e2e9d7f105a758ee869cd13e0fe251ef93a29840",
    (
        ("et", "data/et/test.et.jsonl", "f670f3f726342fa3ccd6f844b72d378ed5d0a9a71bd152e6b3607d402eaafa92", 96789),
        ("et", "data/et/val.et.jsonl", "c6d8f33c11e968fe519d5ddbb61769a73a5ac58ac889060df2fdf5e8a54d6a3c", 19643),
        ("ht", "data/ht/test.ht.jsonl", "ec4a5502e190a51fef4d9cb2080164726772b2d46f7a51c2b86f56748d303428", 98746),
        ("ht", "data/ht/val.ht.jsonl", "022462ff8730fa9345e91e3d174fa346da328d2e7a1225a5938e9897697d61f5", 19931),
        ("id", "data/id/test.id.jsonl", "b6fe1cfc10bcf02f724dddf876d01df370be0a049cdf1ebf7be8f34504ff66da", 103516),
        ("id", "data/id/val.id.jsonl", "b3ac8c87c516d64c05ee39becc038ae747b1522010f385796f6c19019f75c77c", 21831),
        ("it", "data/it/test.it.jsonl", "33564a0dbefc9ff3a7dc868d9a9718d7aaaf7fb136879ae4d2ba022f311f8a88", 105221),
        ("it", "data/it/val.it.jsonl", "f8389021d6595ef994ed8ff163dfddbcc3f5473b4e7b4803745fb98a7ecd1031", 21299),
        ("qu", "data/qu/test.qu.jsonl", "ac20d5cd67545c41e2fa2e187e88ba4d4c2d7ece1a6489041d44113a5553bd7f", 108870),
        ("qu", "data/qu/val.qu.jsonl", "9e3306acace7bb39c35d20984f2aeca7aa2619af00871ed4743b89f950f7572d", 21916),
        ("sw", "data/sw/test.sw.jsonl", "4ca583c40f9ac045a9b6114fc1f052b0f4ca7402e7a78f567c32a7d8246aa273", 100855),
        ("sw", "data/sw/val.sw.jsonl", "e35fb416b7b9557bcede9987a53d56895c04f3608817d3326da09c52082fbfc5", 20642),
        ("ta", "data/ta/test.ta.jsonl", "ae282423e45f0aed4174cea7594d200214a66b9c721b60f74a21fb2d5adeaf45", 216432),
        ("ta", "data/ta/val.ta.jsonl", "fd22e97aab22d431a14d569fb36de4c6a2fe48ee871a1cbf5fab797176b4e9ee", 44972),
        ("th", "data/th/test.th.jsonl", "63030f192c4fd8b3c066a8954203d5cdd57d803e8e1069fcca97ff0e7b669423", 144341),
        ("th", "data/th/val.th.jsonl", "b4c8ae4d5392e7e74667a366c5ed2e39729d67522c1bd35d82e6473505236d47", 29793),
        ("tr", "data/tr/test.tr.jsonl", "1f0152af30bb46acccd0db14ecfe29014c1770c09b0af9b377e15bb4837178ec", 97908),
        ("tr", "data/tr/val.tr.jsonl", "879848162ac5f614f4569c99d37e03bb66034c27684968643371c6c9662bc812", 19873),
        ("vi", "data/vi/test.vi.jsonl", "24cb28827066abb00a2f4004d86c447c4a30a9edb17938b26b61fb2385f94170", 110488),
        ("vi", "data/vi/val.vi.jsonl", "6f804ec3c25b12a3d51f58e338b631bc1b45e7223b15481f8593923e0bdb26fa", 23067),
        ("zh", "data/zh/test.zh.jsonl", "c9b42590399214b9f066adacac2465d7286f5e590181fe6bfd7f6139531b83d4", 95444),
        ("zh", "data/zh/val.zh.jsonl", "8f638466c196342104bdbe9276e7d91fe0abcc044e9a9ad715f30c8ad618bcdd", 19577),
    ),
)
LAREQA = github_files(
    "https://raw.githubusercontent.com/google-research-datasets/lareqa/9bc8c7fb6dd8d01d72a05a93c2cb96882b0d299c",
    (  # every file serves every language: each question is ranked against the pool of all eleven
        ((), "xquad-r/ar.json", "c52922d3b8ac1ae03ed5ac38647ad59870dca3dda2beefe18ecdc30729acb69d", 2234875),
        ((), "xquad-r/de.json", "16fb0f4bf4916154b585a20c24c66074591c9718a1affe764ff4697572328949", 732156),
        ((), "xquad-r/el.json", "163fd43ee785a30eb534ae2061e9eaa766a7ee4e8ffce5e4b422480c150f64b6", 2810127),
        ((), "xquad-r/en.json", "7b0954f39297c27a31fef610f0883337dd2907fa8699151dc922afdd0fa12ffe", 628651),
        ((), "xquad-r/es.json", "f8e836b2d91009c4363e04315f7ede363eedbbb49c67dda60de6c4aa782f58de", 746335),
        ((), "xquad-r/hi.json", "ea45ba8ae4513d1533b222bebdc02a90bc319c055d3aeea68584a053d2e92872", 2408404),
        ((), "xquad-r/ru.json", "7f4dff853538b9a5fcc28c070b8bb983a5c5d190ac747b8e005a1ada9cab18f1", 2764904),
        ((), "xquad-r/th.json", "c3a041864c3a9fb0b4dd91cfdf99cf36b411b3e704c58a303c97bc6dc786cfe4", 2618544),
        ((), "xquad-r/tr.json", "f3e8c13002bbce154a4578f535f7533cb70f3da08840e6b62735935baec7bd94", 827827),
        ((), "xquad-r/vi.json", "e35926bf5cc6fc6ecbdfca49467aabeb454f08d152d7818143a906bd31dde995", 1132303),
        ((), "xquad-r/zh.json", "80c2cde7b9c2fb134c303cbb52f2ba396ead9eb0014aec43993543d2ba9e93ed", 959291),
    ),
)
