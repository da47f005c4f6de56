"""The words listing pages use for their furniture: read-more links, pagers, labels, widgets.

These are the only language-level cues the heuristics use; they describe what a reader
sees (a "Read more" button, a "下一页" link), never how a particular theme names things.
"""

from __future__ import annotations

import re
from functools import lru_cache

_EDGE = r"[\s\W_]*"
# PaperMod's "下一页 3/5 »": the page count after the word.
_PAGE_COUNT = r"(?:\s*\d{1,5}\s*/\s*\d{1,5})?"

READ_MORE_RE = re.compile(
    rf"^{_EDGE}(?:阅读全文|阅读更多|继续阅读|查看全文|查看更多|全文|更多|阅读原文|阅读剩余部分|展开全文"
    r"|read\s+more|continue\s+reading|keep\s+reading|read\s+the\s+rest|read\s+(?:the\s+)?"
    rf"(?:full\s+)?(?:post|article|story)|more|view\s+more|full\s+post){_EDGE}$",
    re.I,
)
NEXT_RE = re.compile(
    rf"^{_EDGE}(?:go\s+to\s+(?:the\s+)?)?(?:下一页|下页|后一页|下一頁|次のページ|次へ|next(?:\s+page)?|next-page|older"
    rf"(?:\s+(?:posts?|entries|articles))?|more\s+posts|[»›→>]+"
    # Blogger's and WordPress's "older posts" in Chinese and Japanese.
    rf"|(?:较早|較早|较旧|較舊|更早|更旧|更舊)的?(?:博文|文章|帖子)|更多(?:博文|文章)"
    rf"|(?:前|古い)の(?:投稿|記事)){_PAGE_COUNT}{_EDGE}$",
    re.I,
)
PREV_RE = re.compile(
    rf"^{_EDGE}(?:go\s+to\s+(?:the\s+)?)?(?:上一页|上页|前一页|上一頁|前へ|prev(?:ious)?(?:\s+page)?|prev-page|newer"
    rf"(?:\s+(?:posts?|entries|articles))?|[«‹←<]+){_PAGE_COUNT}{_EDGE}$",
    re.I,
)
FIRST_LAST_RE = re.compile(rf"^{_EDGE}(?:首页|尾页|末页|first|last|home){_EDGE}$", re.I)
NEXT_HINT_RE = re.compile(r"(?:^|[-_\s])(?:next|older)(?:$|[-_\s])|下一页", re.I)
CURRENT_CLASSES = frozenset({"current", "active", "is-current", "is-active", "selected"})

# The lookaheads let the positions where no word can start fail at once.
UPDATED_RE = re.compile(r"(?=[更修umle])(?:更新|修改|updated|modified|last\s+edit|edited)", re.I)
PUBLISHED_RE = re.compile(
    r"(?=[发创pcd])(?:发表|发布|创建|posted|published|created|datepublished)", re.I
)
UPDATED_MARK_RE = re.compile(r"(?=[umd])(?:updated|modified|datemodified)", re.I)
# A date's label as it ends the text before the date ("更新于：", "… · Updated", "Posted on").
LABEL_END_RE = re.compile(
    rf"(?:{PUBLISHED_RE.pattern}|{UPDATED_RE.pattern})\s*(?:于|时间|on|at)?\s*[:：]?\s*$", re.I
)

CATEGORY_LABEL_RE = re.compile(
    r"^\s*(?:分类于?|类别|栏目|カテゴリー?|テーマ|categor(?:y|ies)|filed\s+under)\s*[:：]?", re.I
)
TAG_LABEL_RE = re.compile(r"^\s*(?:标签|タグ|tags?|tagged(?:\s+with)?)\s*[:：]?", re.I)
# A label ending the text just before a term link ("分类：<a href=/sort/2>", "Posted in
# <a>"): the link names a category or a tag whatever its path.
TERM_LABEL_END_RE = re.compile(
    r"(?:(?P<category>分类于?|类别|栏目|カテゴリー?|テーマ|\b(?:categor(?:y|ies)|filed\s+under"
    r"|posted\s+in))|(?P<tag>标签|タグ|\b(?:tags?|tagged(?:\s+with)?)))\s*[:：]?\s*$",
    re.I,
)
# A date said relative to the day the page was read: no date, but a meta line's mark.
RELATIVE_DATE_RE = re.compile(
    r"\s*(?:\d+\s*(?:(?:秒|分钟|分|小时|天|日|周|星期|个月|月|年)前"
    r"|(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|mos"
    r"|months?|y|yrs?|years?)\s+ago)"
    r"|(?:今天|昨天|前天|刚刚|today|yesterday)(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)\s*$",
    re.I,
)
# A label heading a list of term links, the whole of its text ("Tags", "分类：").
LIST_LABEL_RE = re.compile(
    r"^\s*(?:(?P<category>分类|类别|栏目|カテゴリー?|categor(?:y|ies))|(?P<tag>标签|タグ|tags?))"
    r"\s*[:：]?\s*$",
    re.I,
)
CATEGORY_ICON_RE = re.compile(r"folder|categor|archive", re.I)
TAG_ICON_RE = re.compile(r"(?:^|-)tags?(?:$|-)", re.I)
# Names in one text: split at commas and bars, and at a slash set apart by spaces
# ("Go / Rust"); "CI/CD" is one name.
LIST_SPLIT_RE = re.compile(r"\s*[,，、|]\s*|\s+/\s+")

WIDGET_TITLE_RE = re.compile(
    r"热门|最新|最近|推荐|相关|随机|热文|排行|归档|recent|popular|hot|latest|related|trending"
    r"|random|archives?|most\s+read|top\s+posts",
    re.I,
)
SIDEBAR_TOKEN_RE = re.compile(r"sidebar|widget|aside", re.I)
# A class that says whether a layout has its sidebar, or in what state: ``no-sidebar``,
# ``has-sidebar``, ``sidebar-collapsed``, ``app-aside-fixed``. The element is the page
# around the sidebar.
LAYOUT_STATE_RE = re.compile(
    r"^(?:no|has|with|without|hide|show|toggle)[-_]"
    r"|[-_](?:open|opened|closed|collapsed|expanded|enabled|disabled|none|toggled?|off|on"
    r"|fixed|folded|docked)$",
    re.I,
)

# A card's line of counts and times ("2d ago · 7 min read · 214", "1.5w 阅读"): the words it
# shows beside its numbers, and the buttons beside them ("Save").
STATS_WORDS = frozenset(
    {"min", "mins", "minute", "minutes", "read", "ago", "views", "view", "likes", "like",
     "comments", "comment", "reactions", "claps", "replies", "hour", "hours", "day", "days",
     "save", "share", "bookmark", "分钟", "阅读", "前", "天前", "小时前", "分钟前", "评论",
     "点赞", "浏览", "收藏", "分享", "次阅读", "人阅读", "赞", "阅",
     # reading time and word count: "6 min, 1180 words", "本文字数：1.2k", "约 6 分钟读完"
     "words", "word", "reading", "time", "count", "字", "字数", "本文字数", "字数统计",
     "阅读时长", "阅读时间", "预计阅读", "约", "读完", "分钟读完",
     # Zhihu's buttons, shown as text
     "赞同", "条评论", "喜欢", "反对", "举报",
     # reactions and hits: Qiita's "LGTM 12", note's "スキ", Joomla's "Hits: 388"
     "lgtm", "いいね", "スキ", "hits", "hit"}
)  # fmt: skip
# What themes write where a post has no excerpt.
NO_EXCERPT_RE = re.compile(
    r"(?:暂无|没有|无)(?:简介|摘要|描述)|这篇文章没有摘要|no (?:excerpt|summary|description)"
    r"(?: available)?\.?",
    re.I,
)
HASHTAGS_RE = re.compile(r"\s*(?:#[^\s#]+\s*)+")
# A label some sites put before the excerpt ("摘要：", "Summary:"): no part of the text.
EXCERPT_LABEL_RE = re.compile(
    r"^\s*(?:摘要|简介|概要|导读|导语|summary|excerpt|abstract|tl;?dr)\s*[:：]\s*", re.I
)


# Joomla's "Read more: <the post's title>".
_READ_MORE_TITLED_RE = re.compile(r"^\s*(?:read\s+more|阅读全文|继续阅读)\s*[:：…]", re.I)


def is_read_more(text: str) -> bool:
    """Tell whether link text is a "Read more" button rather than a title."""
    if not text:
        return False
    return (len(text) <= 30 and _reads_more(text)) or _READ_MORE_TITLED_RE.match(text) is not None


@lru_cache(maxsize=1024)  # every card of a page shows the same few button texts
def _reads_more(text: str) -> bool:
    return READ_MORE_RE.match(text) is not None


# A link to a post's comments, by its words: "评论", "12 条评论", "Comments (3)",
# "Leave a comment". It names no post.
COMMENTS_LINK_RE = re.compile(
    r"^\s*(?:\d+\s*(?:条\s*)?)?(?:评论|留言|回复|comments?|repl(?:y|ies)|responses?)"
    r"\s*(?:[(（]\s*\d+\s*[)）]|\d+)?\s*$"
    r"|^\s*(?:查看|发表|添加|写)评论\s*$|^\s*(?:leave|add|post)\s+a\s+(?:comment|reply)\s*$"
    r"|^\s*no\s+comments(?:\s+yet)?\s*$",
    re.I,
)


def is_control(text: str) -> bool:
    """Tell whether link text is a button ("Read more", "评论") rather than a title."""
    return is_read_more(text) or (len(text) <= 30 and COMMENTS_LINK_RE.match(text) is not None)
