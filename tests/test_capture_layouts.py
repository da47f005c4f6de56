"""Plain-text captures of listings in the layouts blogs show, read into the cards they hold."""

from __future__ import annotations

import pytest

from feedkeeper.cards import Card
from feedkeeper.page_reader import read_page
from feedkeeper.parse import parse_capture


def _read(text: str) -> list[tuple[object, ...]]:
    """Each card as (pinned, date, category, title, excerpt, placeholder kinds)."""
    return [_fields(card) for card in parse_capture(text).cards]


def _fields(card: Card) -> tuple[object, ...]:
    kinds = tuple(p.kind for p in card.placeholders)
    return (card.pinned, card.published, card.category, card.title, card.excerpt, kinds)


def _assert_read(text: str, expected: list[tuple[object, ...]]) -> None:
    """The cards are the expected ones, each excerpt starting as its expectation's does."""
    got = _read(text)
    starts = [
        (*card[:4], str(card[4])[: len(str(want[4]))], card[5])
        for card, want in zip(got, expected, strict=False)
    ]
    assert (len(got), starts) == (len(expected), expected)


NEXT_THEME = """首页 归档 分类 标签 关于 搜索

置顶
PyTorch DDP 快速上手
发表于 2024-03-01 | 更新于 2024-03-05 | 分类于 PyTorch | 阅读次数: 1,024
DDP 是 PyTorch 官方推荐的多卡训练方式。本文用一个最小例子说明如何初始化进程组 [代码] ...
阅读全文 »

Transformer 的复杂度分析
发表于 2024-02-20 | 分类于 NLP | 阅读次数: 512
自注意力的时间复杂度是 [Math] ,其中 n 是序列长度。本文推导了这一结论 [公式] ...
阅读全文 »

1 2 … 8 »
"""

WORDPRESS = """Alice's Notes on Machine Learning
Home  About  Archive  Contact

Sticky
Getting Started with Distributed Data Parallel in PyTorch
Posted on March 1, 2024 by Alice
DistributedDataParallel is the recommended way to train on several GPUs [代码] [&hellip;]
Continue reading →
Categories: PyTorch, Distributed | Tags: ddp, gpu | 3 Comments

A Short Note on AdamW
Posted on February 10, 2024 by Bob
AdamW decouples weight decay from the gradient update: [公式] and [公式], side by side. […]
Continue reading →
Categories: Optimization | 1 Comment

« Older posts
"""

DATES_LAST = """博客  下载  学习  社区
最新文章
原创
PyTorch DDP 入门:一个最小可运行的例子
DistributedDataParallel 是 PyTorch 官方推荐的多卡训练方式,本文用最小的例子说明 [代码]
2024-03-01 10:23:45 · 1.2k 阅读 · 10 点赞 · 3 评论
转载
自注意力的复杂度推导
标准自注意力的时间和空间复杂度都是 [Math] ,本文从矩阵乘法的角度推导这一结论
2024-02-20 21:05:11 · 856 阅读 · 4 点赞 · 0 评论
加载更多
"""

TABLE = (
    "归档\n日期\t分类\t摘要\n"
    "2024-03-01\tPyTorch\tDDP 是 PyTorch 官方推荐的多卡训练方式,本文用一个最小例子 [代码] ...\n"
    "2024-02-20\tNLP\t自注意力的时间复杂度是 [Math] ,本文推导了这一结论并介绍线性注意力 ...\n"
)


@pytest.mark.parametrize(
    ("capture", "expected"),
    [
        (
            NEXT_THEME,  # a title above a labelled meta line, which names the category
            [
                (True, "2024-03-01", "PyTorch", "PyTorch DDP 快速上手", "DDP 是 PyTorc", ("code",)),
                (False, "2024-02-20", "NLP", "Transformer 的复杂度分析", "自注意力的时间复杂度是",
                 ("math", "formula")),
            ],
        ),
        (
            WORDPRESS,  # the site's name and its nav are no posts; terms follow the excerpt
            [
                (True, "2024-03-01", "PyTorch",
                 "Getting Started with Distributed Data Parallel in PyTorch", "DistributedDa",
                 ("code",)),
                (False, "2024-02-10", "Optimization", "A Short Note on AdamW", "AdamW decoupl",
                 ("formula", "formula")),
            ],
        ),
        (
            DATES_LAST,  # each card's meta line closes it
            [
                (False, "2024-03-01", None, "PyTorch DDP 入门:一个最小可运行的例子",
                 "Distributed", ("code",)),
                (False, "2024-02-20", None, "自注意力的复杂度推导", "标准自注意力的时间",
                 ("math",)),
            ],
        ),
        (
            TABLE,  # rows of a table copied off an archive page
            [
                (False, "2024-03-01", "PyTorch", None, "DDP 是 PyTorc", ("code",)),
                (False, "2024-02-20", "NLP", None, "自注意力的时间复杂度是", ("math",)),
            ],
        ),
    ],
)  # fmt: skip
def test_a_capture_of_each_layout_reads_as_its_cards(
    capture: str, expected: list[tuple[object, ...]]
) -> None:
    _assert_read(capture, expected)


def test_terms_after_an_excerpt_are_its_card_s() -> None:
    cards = parse_capture(WORDPRESS).cards
    assert (cards[0].categories, cards[0].tags) == (("PyTorch", "Distributed"), ("ddp", "gpu"))


SEEDS_LAYOUT = """INCOMING TRANSMISSION
LATEST UPDATES
置顶
Python
2024-03-05
装饰器本质上是一个返回函数的函数,本文从闭包讲起,解释语法糖到底做了什么 ...
Python
2024-03-04
周报 2024-03-04 ~ 2024-03-10
Deep Learning
2024-01-05
[代码] [代码]
Python
3 天前
第九篇 相对日期三天前,这一行是摘要,足够长,长度超过二十四个字符 ...
Python
2024-13-45
截至 2023-11-30,PyTorch 最新版本是 2.1。
随手记:今天升级了 CUDA 12。
1 2
"""


def test_lines_of_the_seeds_layout_keep_their_roles() -> None:
    """A pin line pins; a sentence mentioning a date is text; placeholders alone are an
    excerpt; a date no calendar reads keeps its card's category; a short sentence with
    nothing before it is a post, the header and the pager none."""
    _assert_read(
        SEEDS_LAYOUT,
        [
            (True, "2024-03-05", "Python", None, "装饰器本质上是一个返回", ()),
            (False, "2024-03-04", "Python", None, "周报 2024-03-0", ()),
            (False, "2024-01-05", "Deep Learning", None, "[代码] [代码]", ("code", "code")),
            (False, None, "Python", None, "第九篇 相对日期三天前,", ()),
            (False, None, "Python", None, "截至 2023-11-30", ()),
            (False, None, None, None, "随手记:今天升级了 CUD", ()),
        ],
    )


BROWSER_COPY = """跳到主要内容
小白的机器学习笔记
首页 归档 分类 标签 关于 RSS
搜索...
NLP
2026年1月11日
摘掉Softmax 制约Attention性能的关键因素,其实是定义里边的Softmax!事实上 [Math] ...
阅读更多
阅读 (1,024)
上一页 1 2 3 下一页
最新文章
摘掉Softmax的Attention
© 2026 小白的机器学习笔记. Powered by Hexo & Theme NexT.
Copyright 2026 Jane Doe. All rights reserved.
由 Hexo 强力驱动 | 主题 - NexT.Gemini
Search …
Loading more posts…
"""


def test_a_search_box_and_the_footer_of_a_page_copied_whole_are_no_posts() -> None:
    """Select-all in a browser takes the search box's hint and the copyright lines too:
    an ellipsis or a full stop does not make them excerpts."""
    _assert_read(
        BROWSER_COPY,
        [(False, "2026-01-11", "NLP", None, "摘掉Softmax 制约Attention", ("math",))],
    )


def test_the_site_s_menu_names_no_card() -> None:
    """A first card showing its date but no category, right under the menu: the menu is
    neither its category nor, above a labelled date, its title."""
    _assert_read(
        "小白的机器学习笔记\n首页 归档 分类 标签 关于\n2026-01-11\n"
        "摘掉Softmax 制约Attention性能的关键因素,其实是定义里边的Softmax ...\n"
        "Home | Blog | Archives | About\nPosted on March 1, 2024 by Alice\n"
        "DistributedDataParallel is the recommended way to train on several GPUs. […]\n",
        [
            (False, "2026-01-11", None, None, "摘掉Softmax", ()),
            (False, "2024-03-01", None, None, "DistributedData", ()),
        ],
    )


def test_a_unicode_line_separator_inside_an_excerpt_is_a_space() -> None:
    """A site's text may hold U+2028 (a script's line separator), U+0085 or U+2029: a
    capture's lines end as a text file's do, so the excerpt stays one (it became two cards,
    one a stray post without a date)."""
    text = (
        "Python\n2024-03-05\n装饰器本质上是一个返回函数的函数,\u2028它让横切逻辑\u0085与业务代码分开。\r\n"
        "NLP\r\n2024-03-04\r\n分词之后再做词性标注,\u2029结果更稳。\n"
    )
    assert _read(text) == [
        (
            False,
            "2024-03-05",
            "Python",
            None,
            "装饰器本质上是一个返回函数的函数, 它让横切逻辑 与业务代码分开。",
            (),
        ),
        (False, "2024-03-04", "NLP", None, "分词之后再做词性标注, 结果更稳。", ()),
    ]


# Three posts in the seeds' layout, their excerpts wrapped at 60 characters by an editor
# that breaks at spaces and drops them: the second excerpt follows the first with no meta.
WRAPPED_AT_60 = """LATEST UPDATES
Python
2024-03-05
Decorators are functions that return functions: this post
starts from closures and shows what the @ syntax really does
and why [代码] is the same as [代码] ...
Self-attention costs [Math] in the length of the sequence;
linear attention replaces the softmax with a kernel, so that
[公式] can be computed first and reused for every query ...
Deep Learning
2024-02-20
AdamW decouples weight decay from the gradient update, and
this note shows why that matters for large models [公式].
1 2
"""


def test_excerpts_wrapped_at_a_fixed_width_read_as_their_posts() -> None:
    """Each wrapped line was a card of its own; a full line ending with an ellipsis ends
    its excerpt, and the next post's excerpt starts on the line after it."""
    assert _read(WRAPPED_AT_60) == [
        (False, "2024-03-05", "Python", None,
         "Decorators are functions that return functions: this post starts from closures"
         " and shows what the @ syntax really does and why [代码] is the same as [代码]",
         ("code", "code")),
        (False, None, None, None,
         "Self-attention costs [Math] in the length of the sequence; linear attention"
         " replaces the softmax with a kernel, so that [公式] can be computed first and"
         " reused for every query", ("math", "formula")),
        (False, "2024-02-20", "Deep Learning", None,
         "AdamW decouples weight decay from the gradient update, and this note shows why"
         " that matters for large models [公式].", ("formula",)),
    ]  # fmt: skip


# Posts in the seeds' layout wrapped by ``fold -s -w 60``, which leaves the space it breaks
# at: the first excerpt is not cut, and its last line comes within a column of the width.
FOLDED_AT_SPACES = "\n".join(
    [
        "Python",
        "2024-03-05",
        "Decorators are functions that return functions: this post ",
        "starts from closures and shows what the @ syntax really ",
        "does, and why stacking two decorators applies them inwards.",
        "Generators pause at each yield and resume where they left ",
        "off, which makes lazy pipelines cheap to write ...",
        "Deep Learning",
        "2024-02-20",
        "AdamW decouples weight decay from the gradient update, and ",
        "this note shows why that matters for large models.",
        "",
    ]
)


def test_a_full_line_without_the_space_a_wrapper_leaves_ends_its_excerpt() -> None:
    """The next post's excerpt, whose first word would not have fitted, ran on from it:
    where the wrapper keeps the space it breaks at, a line without one ended there."""
    assert _read(FOLDED_AT_SPACES) == [
        (False, "2024-03-05", "Python", None,
         "Decorators are functions that return functions: this post starts from closures"
         " and shows what the @ syntax really does, and why stacking two decorators"
         " applies them inwards.", ()),
        (False, None, None, None,
         "Generators pause at each yield and resume where they left off, which makes lazy"
         " pipelines cheap to write", ()),
        (False, "2024-02-20", "Deep Learning", None,
         "AdamW decouples weight decay from the gradient update, and this note shows why"
         " that matters for large models.", ()),
    ]  # fmt: skip


# Chinese text with a space here and there, wrapped at 40 terminal columns by an editor
# that breaks at spaces only (and drops them): a run of Chinese longer than a line stands
# on a line of its own, wider than the width, and the line before it ends short.
WRAPPED_AT_SPACES_ONLY = """Python
2026-01-11
分布式训练有两种方式 DataParallel 和
DistributedDataParallel
后者每张卡启动一个进程，梯度在反向传播的同时完成同步，所以比前者快得多
也能跨机器使用 只要设置好 MASTER_ADDR 和
MASTER_PORT 两个环境变量 [代码] ...
装饰器的本质
是一个接受函数并返回新函数的函数，语法糖只是把赋值写得更短，理解了闭包再看它就很自然
用 functools.wraps 保留原函数的名字 ...
Deep Learning
2026-01-10
混合精度训练 用 float16 做前向和反向，用
float32
保存主权重，再配合损失缩放避免梯度下溢
...
"""


def test_chinese_text_wrapped_at_spaces_only_reads_as_its_posts() -> None:
    """Each overflowing run and each line cut short before one was a card of its own (the
    width was not found: the longest line is a run wider than it); the lines join with
    the spaces the wrapper broke at."""
    assert _read(WRAPPED_AT_SPACES_ONLY) == [
        (False, "2026-01-11", "Python", None,
         "分布式训练有两种方式 DataParallel 和 DistributedDataParallel 后者每张卡启动一个进程，"
         "梯度在反向传播的同时完成同步，所以比前者快得多 也能跨机器使用 只要设置好 MASTER_ADDR 和"
         " MASTER_PORT 两个环境变量 [代码]", ("code",)),
        (False, None, None, None,
         "装饰器的本质 是一个接受函数并返回新函数的函数，语法糖只是把赋值写得更短，理解了闭包再看它"
         "就很自然 用 functools.wraps 保留原函数的名字", ()),
        (False, "2026-01-10", "Deep Learning", None,
         "混合精度训练 用 float16 做前向和反向，用 float32 保存主权重，再配合损失缩放避免梯度下溢",
         ()),
    ]  # fmt: skip


# Posts wrapped by ``fold -w 50`` (without ``-s``), which cuts each line at 50 characters,
# inside a word too, and keeps every space: at a line's end ("the @ ") or the next's start.
FOLDED_INSIDE_WORDS = "\n".join(
    [
        "Python",
        "2024-03-05",
        "Decorators are functions that return functions: th",
        "is post starts from closures and shows what the @ ",
        "syntax really does ...",
        "Deep Learning",
        "2024-02-20",
        "AdamW decouples weight decay from the gradient upd",
        "ate, and this note shows why that matters for larg",
        "e models ...",
        "Generators pause at each yield and resume where th",
        "ey left off, which makes lazy pipelines cheap to w",
        "rite ...",
        "",
    ]
)


def test_words_a_wrapper_cut_in_two_read_whole() -> None:
    """A word cut at the width read as two ("th is", "upd ate"): a wrapper that cuts every
    line at the width keeps the spaces, so a break with none beside it was inside a word."""
    assert _read(FOLDED_INSIDE_WORDS) == [
        (False, "2024-03-05", "Python", None,
         "Decorators are functions that return functions: this post starts from closures"
         " and shows what the @ syntax really does", ()),
        (False, "2024-02-20", "Deep Learning", None,
         "AdamW decouples weight decay from the gradient update, and this note shows why"
         " that matters for large models", ()),
        (False, None, None, None,
         "Generators pause at each yield and resume where they left off, which makes lazy"
         " pipelines cheap to write", ()),
    ]  # fmt: skip


# Titles after the date, excerpts wrapped at 56 terminal columns (a CJK character takes
# two) anywhere in the text; the longest title fills more than half a line.
WRAPPED_TITLES = """2024-03-05
装饰器入门
装饰器本质上是一个返回函数的函数，本文从闭包讲起解释语法
糖到底做了什么 [代码] ...
2024-03-04
一个最简单的分布式数据并行训练例子
单卡代码改成多卡只要四步：初始化进程组、包装模型、切分数
据和启动多个进程 [代码] ...
2024-03-01
随手记
今天把服务器上的CUDA升级到了12版本，顺便记录一下踩过的坑
和解决的办法 ...
"""


def test_a_title_is_never_joined_to_the_wrapped_excerpt_after_it() -> None:
    """A title is a short line: even when the excerpt's first word (a run of CJK text)
    would not fit after it, it stays the title, and the excerpt's lines join without a
    space between CJK characters."""
    assert _read(WRAPPED_TITLES) == [
        (False, "2024-03-05", None, "装饰器入门",
         "装饰器本质上是一个返回函数的函数，本文从闭包讲起解释语法糖到底做了什么 [代码]",
         ("code",)),
        (False, "2024-03-04", None, "一个最简单的分布式数据并行训练例子",
         "单卡代码改成多卡只要四步：初始化进程组、包装模型、切分数据和启动多个进程 [代码]",
         ("code",)),
        (False, "2024-03-01", None, "随手记",
         "今天把服务器上的CUDA升级到了12版本，顺便记录一下踩过的坑和解决的办法", ()),
    ]  # fmt: skip


def test_short_lines_of_an_unwrapped_capture_stay_apart() -> None:
    """Lines of nearly one width that are a card's own (a category above its date, a
    "read more" line) are no wrapped text, and a capture whose lines differ in width
    was not wrapped at all."""
    text = (
        "Python\n2024-03-05\n装饰器本质上是一个返回函数的函数，本文从闭包讲起解释语法糖 ...\n"
        "阅读全文\nNLP\n2024-03-04\n注意力的计算量随着序列长度平方增长，线性注意力换掉了它 ...\n"
        "阅读全文\nDeep Learning\n2024-03-01\n随手记：升级 CUDA 12。\n"
    )
    assert _read(text) == [
        (False, "2024-03-05", "Python", None,
         "装饰器本质上是一个返回函数的函数，本文从闭包讲起解释语法糖", ()),
        (False, "2024-03-04", "NLP", None,
         "注意力的计算量随着序列长度平方增长，线性注意力换掉了它", ()),
        (False, "2024-03-01", "Deep Learning", None, "随手记：升级 CUDA 12。", ()),
    ]  # fmt: skip


def test_a_capture_wrapped_by_a_tool_counting_bytes_reads_whole() -> None:
    """GNU ``fold -w 40`` counts UTF-8 bytes and cuts Chinese characters in two at the
    ends of lines: each character is whole again, and the lines one excerpt (it read as
    U+FFFD and a card a line)."""
    text = (
        "Python\n2024-03-05\n"
        "装饰器本质上是一个返回函数的函数，本文从闭包讲起解释语法糖"
        "到底做了什么，以及它和闭包的关系 ...\n"
    )
    data = text.encode()
    first = data.index("装".encode())
    # The excerpt's bytes 40 to a line, as fold writes them (13 characters and a third).
    lines = [data[at : at + 40] for at in range(first, len(data), 40)]
    body = data[:first] + b"\n".join(lines)
    with pytest.raises(UnicodeDecodeError):
        body.decode()  # characters cut in two
    cards = read_page(body, "text/plain", "file:///capture.txt").cards
    assert [(card.published, card.category, card.excerpt) for card in cards] == [
        (
            "2024-03-05",
            "Python",
            "装饰器本质上是一个返回函数的函数，本文从闭包讲起解释语法糖到底做了什么，以及它和闭包的关系",
        ),
    ]


def test_a_gbk_capture_is_not_mended_as_utf8_cut_in_two() -> None:
    """GBK's "中" ends in a byte a UTF-8 lead byte could be, and "癅" starts with what
    reads as a UTF-8 continuation byte: a line ending with the one, the next starting with
    the other, had their bytes moved across the break (both characters lost)."""
    text = (
        "学习进行中\n癅字开头的摘要，讲闭包和装饰器的关系。\nPython · 2024-03-05\n\n"
        "第二篇\n另一篇的摘要，讲显存优化的几种做法。\nPyTorch · 2024-03-06\n"
    )
    body = text.encode("gbk")
    assert b"\xd0\n\xb0@" in body  # the pair the mending took for a character cut in two
    cards = read_page(body, "text/plain; charset=gbk", "file:///capture.txt").cards
    assert [(card.title, card.excerpt) for card in cards] == [
        ("学习进行中", "癅字开头的摘要，讲闭包和装饰器的关系。"),
        ("第二篇", "另一篇的摘要，讲显存优化的几种做法。"),
    ]
