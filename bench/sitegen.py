"""The benchmark's synthetic blog: listing pages of a Hexo-like theme, in two generations.

Per listing page of 20 cards: 2 pinned posts (the same two on every page), 4 reposts of
earlier posts under second URLs (same title and excerpt, a date-path URL), 14 original
posts: 30 % of the cards are reposts. About 5 % of the original posts are edited between
generation 1 and generation 2; 20 % of excerpts carry placeholders ([代码], [公式], [Math]).
Text mixes Chinese and English. The truth (every post, its URLs, its fields in both
generations) is written beside the pages as truth.json, so outputs can be scored.

Deterministic: the same arguments give the same bytes.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path
from urllib.parse import quote

CARDS_PER_PAGE = 20
PINNED = 2
REPOSTS_PER_PAGE = 4
ORIGINALS_PER_PAGE = CARDS_PER_PAGE - PINNED - REPOSTS_PER_PAGE
EDIT_SHARE = 0.05
PLACEHOLDER_SHARE = 0.20

_ZH = [
    "模型",
    "训练",
    "推理",
    "显存",
    "梯度",
    "注意力",
    "检索",
    "向量",
    "索引",
    "召回",
    "排序",
    "特征",
    "样本",
    "损失函数",
    "优化器",
    "学习率",
    "数据集",
    "分布式",
    "通信",
    "算子",
    "内核",
    "缓存",
    "量化",
    "蒸馏",
    "微调",
    "预训练",
    "解码",
    "采样",
    "评估",
    "指标",
    "实验",
    "结果",
    "方法",
    "原理",
    "实现",
    "细节",
    "问题",
    "思路",
    "结构",
    "参数",
    "矩阵",
    "张量",
    "序列",
    "位置编码",
    "残差",
    "归一化",
    "激活值",
    "批大小",
    "吞吐",
    "延迟",
    "调度",
    "流水线",
    "并行",
    "切分",
    "聚合",
    "反向传播",
    "前向传播",
    "收敛",
    "泛化",
    "正则化",
]
_ZH_GLUE = [
    "的",
    "了",
    "是",
    "在",
    "和",
    "与",
    "对",
    "将",
    "把",
    "通过",
    "因此",
    "但是",
    "同时",
    "其中",
    "也",
    "就",
    "可以",
    "需要",
    "使用",
]
_EN = [
    "PyTorch",
    "CUDA",
    "Transformer",
    "attention",
    "kernel",
    "batch",
    "GPU",
    "FlashAttention",
    "LoRA",
    "embedding",
    "tokenizer",
    "gradient",
    "checkpoint",
    "optimizer",
    "AdamW",
    "softmax",
    "layer",
    "norm",
    "inference",
    "latency",
    "throughput",
    "sharding",
    "pipeline",
    "FSDP",
    "DeepSpeed",
    "BERT",
    "GPT",
    "LLaMA",
    "MoE",
    "router",
    "expert",
    "vector",
    "index",
    "recall",
    "ranking",
    "feature",
    "sample",
    "loss",
]
_CATEGORIES = [
    ("machine-learning", "机器学习"),
    ("deep-learning", "深度学习"),
    ("systems", "Systems"),
    ("search", "搜索"),
    ("llm", "LLM"),
    ("notes", "读书笔记"),
    ("python", "Python"),
    ("recsys", "推荐系统"),
]
_TAGS = [
    "PyTorch",
    "CUDA",
    "Attention",
    "显存优化",
    "分布式训练",
    "量化",
    "检索",
    "排序",
    "Transformer",
    "LLM",
    "推理加速",
    "数据处理",
    "优化器",
    "评估",
    "Python",
    "C++",
]
_PLACEHOLDERS = ["[代码]", "[公式]", "[Math]"]


@dataclass
class Shown:
    """What one generation of the site shows for a post."""

    title: str
    excerpt: str  # as a reader sees it, without the trailing "..."
    truncated: bool


@dataclass
class Post:
    """One post of the synthetic blog, and everything a crawl should learn about it."""

    id: int
    url: str  # path of its own URL
    published: str
    category: str
    category_slug: str
    tags: list[str]
    gen1: Shown
    gen2: Shown | None = None  # set when the post is edited between the generations
    aliases: list[str] = field(default_factory=list)  # second URLs it is reposted under
    placeholders: int = 0

    def shown(self, generation: int) -> Shown:
        """Return what the given generation shows."""
        return self.gen2 if generation == 2 and self.gen2 is not None else self.gen1


@dataclass
class Site:
    """The whole blog: its posts and, per listing page, the post shown on each card."""

    pages: list[list[tuple[int, str]]]  # per page: (post id, card URL path)
    posts: list[Post]


def build(pages: int, seed: int = 7) -> Site:
    """Invent the blog's posts and its listing pages."""
    rng = random.Random(seed)
    posts: list[Post] = []
    layout: list[list[tuple[int, str]]] = []
    day = date(2026, 1, 11)
    for number in range(pages):
        originals = []
        for _ in range(ORIGINALS_PER_PAGE):
            posts.append(_new_post(rng, len(posts), day))
            originals.append(posts[-1].id)
            day -= timedelta(days=rng.random() < 0.3)
        cards: list[tuple[int, str]] = [(pid, posts[pid].url) for pid in originals]
        earlier = len(posts) - ORIGINALS_PER_PAGE or ORIGINALS_PER_PAGE
        for original in rng.sample(range(earlier), REPOSTS_PER_PAGE):
            cards.insert(rng.randrange(len(cards) + 1), _repost(posts[original], number))
        pinned = [(pid, posts[pid].url) for pid in (3, 10)]
        layout.append(pinned + cards)
    for post in posts:
        if rng.random() < EDIT_SHARE:
            post.gen2 = _edit(rng, post.gen1)
    return Site(layout, posts)


def _new_post(rng: random.Random, post_id: int, day: date) -> Post:
    title = _title(rng)
    excerpt = _sentences(rng, rng.randint(3, 6))
    count = 0
    if rng.random() < PLACEHOLDER_SHARE:
        count = rng.randint(1, 3)
        words = excerpt.split("。")
        for _ in range(count):
            at = rng.randrange(len(words))
            words[at] = words[at] + " " + rng.choice(_PLACEHOLDERS) + " "
        excerpt = "。".join(words)
    excerpt = " ".join(excerpt.split())
    truncated = rng.random() < 0.8
    slug_words = [w.lower() for w in rng.sample(_EN, 3)]
    category_slug, category = rng.choice(_CATEGORIES)
    return Post(
        id=post_id,
        url=f"/posts/{post_id:07d}-{'-'.join(slug_words)}/",
        published=day.isoformat(),
        category=category,
        category_slug=category_slug,
        tags=rng.sample(_TAGS, rng.randint(1, 3)),
        gen1=Shown(title, excerpt, truncated),
        placeholders=count,
    )


def _repost(original: Post, page: int) -> tuple[int, str]:
    """A card showing an earlier post under a second, date-path URL."""
    y, m, d = original.published.split("-")
    url = f"/{y}/{m}/{d}/{original.url.split('/')[2]}-r{page}/"
    original.aliases.append(url)
    return original.id, url


def _title(rng: random.Random) -> str:
    zh = "".join(rng.sample(_ZH, rng.randint(2, 3)))
    en = " ".join(rng.sample(_EN, rng.randint(1, 2)))
    return rng.choice([f"{en} {zh}详解", f"{zh}：{en} 实践", f"浅谈 {en} 中的{zh}"])


def _sentences(rng: random.Random, count: int) -> str:
    out = []
    for _ in range(count):
        words = []
        for _ in range(rng.randint(6, 12)):
            pick = rng.random()
            if pick < 0.6:
                words.append(rng.choice(_ZH))
            elif pick < 0.85:
                words.append(rng.choice(_ZH_GLUE))
            else:
                words.append(f" {rng.choice(_EN)} ")
        out.append("".join(words).strip())
    return "。".join(out) + "。"


def _edit(rng: random.Random, shown: Shown) -> Shown:
    """A real edit: a sentence rewritten, or the title reworded."""
    if rng.random() < 0.3:
        return Shown(shown.title + "（修订版）", shown.excerpt, shown.truncated)
    head = shown.excerpt.split("。")[0]
    rest = shown.excerpt[len(head) :]
    excerpt = " ".join((_sentences(rng, 1).rstrip("。") + rest).split())
    return Shown(shown.title, excerpt, shown.truncated)


def listing_path(number: int) -> str:
    """Return the path of listing page ``number`` (1-based)."""
    return "/" if number == 1 else f"/page/{number}/"


def render_page(site: Site, number: int, generation: int) -> str:
    """Return the HTML of listing page ``number`` as the given generation shows it."""
    cards = "".join(_card(site.posts[pid], url, generation) for pid, url in site.pages[number - 1])
    return _PAGE.format(
        title="炼丹手记" if number == 1 else f"炼丹手记 - 第 {number} 页",
        cards=cards,
        pager=_pager(number, len(site.pages)),
        hot="".join(
            f'<li><a href="{site.posts[i].url}?utm_source=sidebar">'
            f"{escape(site.posts[i].gen1.title)}</a></li>"
            for i in (1, 4, 7, 12, 15)
        ),
        cloud=" ".join(
            f'<a href="/tags/{quote(t)}/" class="tag-cloud-link">{escape(t)}</a>' for t in _TAGS
        ),
    )


def _card(post: Post, url: str, generation: int) -> str:
    shown = post.shown(generation)
    tags = ", ".join(f'<a href="/tags/{quote(t)}/" rel="tag">{escape(t)}</a>' for t in post.tags)
    dots = "..." if shown.truncated else ""
    return _CARD.format(
        url=url,
        title=escape(shown.title),
        date=post.published,
        category_slug=post.category_slug,
        category=escape(post.category),
        excerpt=escape(shown.excerpt) + dots,
        tags=tags,
    )


def _pager(number: int, last: int) -> str:
    shown = sorted({1, last, *range(max(1, number - 2), min(last, number + 2) + 1)})
    parts = []
    if number > 1:
        parts.append(f'<a class="prev page-numbers" href="{listing_path(number - 1)}">« 上一页</a>')
    previous = 0
    for n in shown:
        if n - previous > 1:
            parts.append('<span class="space">…</span>')
        if n == number:
            parts.append(f'<span aria-current="page" class="page-numbers current">{n}</span>')
        else:
            parts.append(f'<a class="page-numbers" href="{listing_path(n)}">{n}</a>')
        previous = n
    if number < last:
        parts.append(f'<a class="next page-numbers" href="{listing_path(number + 1)}">下一页 »</a>')
    return " ".join(parts)


def write_site(site: Site, root: Path) -> dict[str, Path]:
    """Write both generations under ``root`` (gen1/, gen2/) plus truth.json; return the dirs.

    A page of generation 2 keeps generation 1's modification time when it did not
    change and is an hour newer when it did, as a site rebuild leaves them: nginx's
    validators (ETag from time and size, Last-Modified) then tell the truth.
    """
    if root.exists():
        shutil.rmtree(root)
    dirs = {}
    then = time.time() - 86_400
    for generation in (1, 2):
        folder = root / f"gen{generation}"
        for number in range(1, len(site.pages) + 1):
            target = folder / listing_path(number).strip("/") / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            text = render_page(site, number, generation)
            target.write_text(text, encoding="utf-8")
            changed = generation == 2 and text != render_page(site, number, 1)
            os.utime(target, (then + 3600 * changed, then + 3600 * changed))
        (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="ascii")
        dirs[f"gen{generation}"] = folder
    truth = {"pages": len(site.pages), "posts": [asdict(p) for p in site.posts]}
    (root / "truth.json").write_text(json.dumps(truth, ensure_ascii=False), encoding="utf-8")
    return dirs


def load_truth(root: Path) -> list[Post]:
    """Read the posts back from truth.json."""
    data = json.loads((root / "truth.json").read_text(encoding="utf-8"))
    posts = []
    for raw in data["posts"]:
        raw["gen1"] = Shown(**raw["gen1"])
        raw["gen2"] = Shown(**raw["gen2"]) if raw["gen2"] else None
        posts.append(Post(**raw))
    return posts


_CARD = """  <li class="entry">
    <header class="entry-header">
      <h3 class="entry-title"><a href="{url}" rel="bookmark">{title}</a></h3>
      <div class="entry-meta"><time class="entry-date published"
        datetime="{date}T08:00:00+08:00">{date}</time>
        <span class="cat-links"><a href="/categories/{category_slug}/"
        rel="category tag">{category}</a></span></div>
    </header>
    <div class="entry-summary">
      <p>{excerpt}</p>
    </div>
    <footer class="entry-footer"><span class="tags-links">{tags}</span>
      <a class="read-more" href="{url}">阅读全文 <span aria-hidden="true">&raquo;</span></a>
    </footer>
  </li>
"""

_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="alternate" type="application/atom+xml" title="炼丹手记" href="/atom.xml">
</head>
<body>
<header class="site-header">
  <div class="site-branding"><a class="site-title" href="/">炼丹手记</a></div>
  <nav class="site-nav" aria-label="主导航"><ul>
    <li><a href="/">首页</a></li>
    <li><a href="/categories/">分类</a></li>
    <li><a href="/tags/">标签</a></li>
    <li><a href="/archives/">归档</a></li>
    <li><a href="/about/">关于</a></li>
  </ul></nav>
</header>
<main id="primary" class="site-main">
<ol class="entry-list">
{cards}</ol>
<nav class="navigation pagination" aria-label="文章分页">
  <div class="nav-links">{pager}</div>
</nav>
</main>
<aside class="sidebar">
  <section class="widget widget-hot-posts">
    <h3 class="widget-title">热门文章</h3>
    <ul>{hot}</ul>
  </section>
  <section class="widget widget-tag-cloud">
    <h3 class="widget-title">标签云</h3>
    <div class="tagcloud">{cloud}</div>
  </section>
</aside>
<footer class="site-footer">
  <p>&copy; 2026 炼丹手记 &middot; Powered by <a href="https://hexo.io/">Hexo</a></p>
</footer>
</body>
</html>
"""
