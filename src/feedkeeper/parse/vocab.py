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


def _words(*words: str, before: str = "") -> str:
    """Return an alternation of words (regex fragments, each starting with a plain letter),
    grouped by their first letter behind a lookahead on those letters: a position where no
    word starts fails at once, and the others are tried against the words starting so."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0].lower(), []).append(word[1:])
    starts = "".join(sorted({c for first in groups for c in (first, first.upper())}))
    alternatives = "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in groups.items())
    return f"(?=[{starts}]){before}(?:{alternatives})"


def phrases(words: tuple[str, ...]) -> str:
    """Return an alternation of plain phrases, any run of spaces matching where one shows."""
    return "|".join(re.escape(word).replace(r"\ ", r"\s+") for word in words)


# "Read more" in the languages blogs are written in, as their themes ship it translated
# (lower case, one space between words): as a link's whole text, or written at the end of
# an excerpt.
READ_MORE_PHRASES = (
    "点击阅读全文", "点击查看全文", "点此阅读全文", "点击阅读更多",
    "阅读全文", "阅读更多", "继续阅读", "查看全文", "阅读原文", "展开全文",
    "閱讀全文", "閱讀更多", "繼續閱讀", "閱讀原文", "展開全文",
    "続きを読む", "続きを見る", "もっと見る",
    "더보기", "더 보기", "계속읽기", "계속 읽기",
    "자세히보기", "자세히 보기", "전체보기", "전체 보기",
    "read more", "continue reading", "keep reading", "weiterlesen", "mehr lesen",
    "lire la suite", "lire plus", "leer más", "leer mas", "seguir leyendo", "continuar leyendo",
    "continuar lendo", "leia mais", "ler mais", "continua leggere", "continua a leggere",
    "leggi tutto", "leggi di più", "leggi di piu", "verder lezen", "lees meer", "lees verder",
    "читать далее", "читать дальше", "читать полностью", "czytaj dalej", "czytaj więcej",
    "devamını oku", "číst dále", "číst více", "läs mer", "les mer", "lue lisää", "đọc thêm",
    "đọc tiếp", "baca selengkapnya", "selengkapnya",
)  # fmt: skip
READ_MORE_WORDS = phrases(READ_MORE_PHRASES)
READ_MORE_RE = re.compile(
    rf"^{_EDGE}(?:{READ_MORE_WORDS}|查看更多|全文|更多|阅读剩余部分|read\s+on"
    # WordPress's Kubrick and its heirs: "Read the rest of this entry »", "Read more of this post"
    rf"|read\s+(?:the\s+rest|more)(?:\s+of\s+(?:this|the)\s+(?:entry|post|article|story))?"
    rf"|read\s+(?:the\s+)?"
    rf"(?:full\s+)?(?:post|article|story)|more|view\s+more|full\s+post|подробнее|mehr"
    # a section's way to the whole listing: "All Posts →", "查看全部"
    rf"|(?:view|see)\s+all(?:\s+(?:posts|articles|entries))?|all\s+(?:posts|articles|entries)"
    rf"|查看全部|全部文章|所有文章){_EDGE}$",
    re.I,
)
# The characters a pager's word can start with (case aside): the lookaheads below let any
# other text (a title) fail at once.
_NEXT_STARTS = "下后後次nomwsapevgdbtä»›→>较較更前古다сдвб"
_PREV_STARTS = "上前pnvzaeöfstbg«‹←<이пнб"
_FIRST_LAST_STARTS = "首尾末最flh처마epdúuopstпg"
# No pager word is longer ("Postagens mais antigas »", "Go to next page 3/5 »").
MAX_PAGER_TEXT = 40
NEXT_RE = re.compile(
    rf"^{_EDGE}(?=[{_NEXT_STARTS}])(?:go\s+to\s+(?:the\s+)?)?(?:下一页|下页|后一页|后页|下一頁|下頁|後頁|次のページ|次へ|next(?:\s+page)?|next-page|older"
    rf"(?:\s+(?:posts?|entries|articles))?|more\s+posts|[»›→>]+"
    # Blogger's and WordPress's "older posts" in Chinese and Japanese.
    rf"|(?:较早|較早|较旧|較舊|更早|更旧|更舊)的?(?:博文|文章|帖子)|更多(?:博文|文章)"
    rf"|(?:前|古い)の(?:投稿|記事)"
    # and in other languages: "Nächste Seite", "Articles plus anciens", "Entradas antiguas"
    r"|다음(?:\s*페이지|\s*글)?|nächste(?:\s+seite)?|weiter|ältere\s+(?:beiträge|einträge|artikel|posts)"
    r"|suivante?s?|page\s+suivante|articles?\s+(?:plus\s+)?anciens|siguiente|página\s+siguiente"
    r"|entradas\s+(?:más\s+)?antiguas|entradas\s+anteriores|próxima(?:\s+página)?"
    r"|(?:postagens|posts)\s+mais\s+antig[ao]s|successiv[ao]|pagina\s+successiva"
    r"|(?:articoli|post)\s+(?:meno\s+recenti|più\s+vecchi)|volgende(?:\s+pagina)?"
    r"|oudere\s+(?:berichten|artikelen|posts)|следующая(?:\s+страница)?|далее|вперёд|вперед"
    r"|(?:более\s+)?старые\s+(?:записи|сообщения)|następna(?:\s+strona)?|starsze\s+(?:wpisy|posty)"
    r"|sonraki(?:\s+sayfa)?|eski\s+yazılar|další(?:\s+stránka)?|starší\s+(?:příspěvky|články)"
    r"|nästa(?:\s+sida)?|äldre\s+inlägg|selanjutnya|berikutnya|posting(?:an)?\s+lama"
    rf"|trang\s+sau|bài\s+cũ\s+hơn){_PAGE_COUNT}{_EDGE}$",
    re.I,
)
PREV_RE = re.compile(
    rf"^{_EDGE}(?=[{_PREV_STARTS}])(?:go\s+to\s+(?:the\s+)?)?(?:上一页|上页|前一页|前页|上一頁|上頁|前頁|前へ|prev(?:ious)?(?:\s+page)?|prev-page|newer"
    r"(?:\s+(?:posts?|entries|articles))?|[«‹←<]+"
    r"|이전(?:\s*페이지|\s*글)?|vorherige(?:\s+seite)?|zurück|neuere\s+(?:beiträge|einträge|artikel|posts)"
    r"|précédente?s?|page\s+précédente|articles?\s+(?:plus\s+)?récents|anterior|página\s+anterior"
    r"|entradas\s+(?:más\s+)?recientes|(?:postagens|posts)\s+mais\s+recentes|precedente"
    r"|pagina\s+precedente|(?:articoli|post)\s+più\s+recenti|vorige(?:\s+pagina)?"
    r"|nieuwere\s+(?:berichten|artikelen|posts)|предыдущая(?:\s+страница)?|назад"
    r"|(?:более\s+)?новые\s+(?:записи|сообщения)|poprzednia(?:\s+strona)?|nowsze\s+(?:wpisy|posty)"
    r"|önceki(?:\s+sayfa)?|předchozí(?:\s+stránka)?|föregående(?:\s+sida)?|sebelumnya"
    r"|posting(?:an)?\s+(?:lebih\s+)?baru|trang\s+trước|bài\s+mới\s+hơn"
    rf"){_PAGE_COUNT}{_EDGE}$",
    re.I,
)
# The first and the last page's words, and an icon's label ("Last page", "Go to first page").
FIRST_LAST_RE = re.compile(
    rf"^{_EDGE}(?=[{_FIRST_LAST_STARTS}])(?:go\s+to\s+(?:the\s+)?)?(?:首页|尾页|末页|首頁|尾頁|末頁|最末頁|first|last|home|처음|마지막|erste|letzte|première"
    r"|dernière|primera|última|primeira|prima|ultima|eerste|laatste|первая|последняя|pierwsza"
    rf"|ostatnia|první|poslední|första|sista|pertama|terakhir)(?:\s+page)?{_EDGE}$",
    re.I,
)


def reads_pager_word(text: str) -> bool:
    """Tell whether a link's text is a pager's word ("Next", "上一页", "»"), never a title."""
    return bool(NEXT_RE.match(text) or PREV_RE.match(text) or FIRST_LAST_RE.match(text))


NEXT_HINT_RE = re.compile(r"(?:^|[-_\s])(?:next|older)(?:$|[-_\s])|下一页", re.I)
CURRENT_CLASSES = frozenset({"current", "active", "is-current", "is-active", "selected"})

# The lookaheads let the positions where no word can start fail at once.
UPDATED_RE = re.compile(
    _words(
        "更新", "修改", "编辑于", "編輯於", "updated", "modified", r"last\s+edit", "edited", "수정",
        "업데이트",
        "aktualisiert", "geändert", r"mis\s+à\s+jour", "modifié", "actualizado", "atualizado",
        "aggiornato", "modificato", "bijgewerkt", "обновлено", "изменено", "zaktualizowano",
        "güncellendi", "aktualizováno", "uppdaterad",
    ),
    re.I,
)  # fmt: skip
PUBLISHED_RE = re.compile(
    _words(
        "发表", "发布", "创建", "發表", "發佈", "發布", "建立", "게시", "작성", "posted",
        "published",
        "created", "datepublished", "veröffentlicht", "publié", "publicado", "pubblicato",
        "gepubliceerd", "опубликовано", "opublikowano", "yayınlandı", "publikováno",
        "publicerad", "diterbitkan",
    ),
    re.I,
)  # fmt: skip
UPDATED_MARK_RE = re.compile(r"(?=[umd])(?:updated|modified|datemodified)", re.I)
# A date's label as it ends the text before the date ("更新于：", "… · Updated", "Posted on").
LABEL_END_RE = re.compile(
    rf"(?:{PUBLISHED_RE.pattern}|{UPDATED_RE.pattern})\s*(?:于|於|时间|時間|일|on|at|am|le|el|em|il|op)?"
    r"\s*[:：]?\s*$",
    re.I,
)

# The words that label a card's categories and its tags, in the languages blogs are
# written in ("分类：", "Kategorien:", "Рубрики:", "Etiquetas:", "태그").
_CATEGORY_WORD_LIST = (
    "分类于?", "类别", "栏目", "分類於?", "類別", "欄目", "カテゴリー?", "テーマ", "카테고리",
    "분류",
    r"categor(?:y|ies)", "kategorien?", "catégories?", "categor[ií]as?", "categorie",
    "categorieën", "rubriek", "rubriques?", "rubrik", "рубрик[аи]", "категори[яи]",
    "kategori(?:e|a|er)?", "kategorie", "хабы",
)  # fmt: skip
_TAG_WORD_LIST = (
    "标签", "標籤", "標簽", "タグ", "태그", "tags?", "schlagw(?:ö|oe)rter", "schlagworte",
    "stichw(?:ö|oe)rter", "étiquettes?", r"mots[-\s]cl[ée]s", "etiquetas?", "etichette", "метки",
    "теги", "tagi", "etiketler", "štítky", "taggar", "labels?",
)  # fmt: skip
_CATEGORY_WORDS = _words(*_CATEGORY_WORD_LIST)
_TAG_WORDS = _words(*_TAG_WORD_LIST)
# A word starts here: no Latin or Cyrillic letter before it ("文章分类" still ends in 分类).
_NO_LETTER_BEFORE = r"(?<![A-Za-zÀ-ɏЀ-ӿ])"
CATEGORY_LABEL_RE = re.compile(rf"^\s*(?:{_CATEGORY_WORDS}|filed\s+under)\s*[:：]?", re.I)
TAG_LABEL_RE = re.compile(rf"^\s*(?:{_TAG_WORDS}|tagged(?:\s+with)?)\s*[:：]?", re.I)
# A label ending the text just before a term link ("分类：<a href=/sort/2>", "Posted in
# <a>"): the link names a category or a tag whatever its path.
TERM_LABEL_END_RE = re.compile(
    "(?:(?P<category>"
    + _words(
        *_CATEGORY_WORD_LIST, r"filed\s+under", r"posted\s+in", r"veröffentlicht\s+in",
        r"abgelegt\s+unter", r"publié\s+dans", r"classé\s+dans", r"publicado\s+en",
        r"pubblicato\s+in", r"geplaatst\s+in", before=_NO_LETTER_BEFORE,
    )
    + ")|(?P<tag>"
    + _words(*_TAG_WORD_LIST, r"tagged(?:\s+with)?", before=_NO_LETTER_BEFORE)
    + "))\\s*[:：]?\\s*$",
    re.I,
)  # fmt: skip
# A label ending the text before a link to its author's page, whatever its address
# ("作者:<a href="/?auth=1">", "发布者: <a>", "By <a>", "Posted by <a>").
AUTHOR_LABEL_END_RE = re.compile(
    r"(?:(?<![^\W\d_])(?:posted\s+by|written\s+by|by|von|par|por|автор)"
    r"|作者|发布者|發布者|发表者|發表者|文\s*/|撰文)\s*[:：]?\s*$",
    re.I,
)
# A date said relative to the day the page was read: no date, but a meta line's mark
# ("3天前", "2 days ago", "5시간 전", "vor 3 Tagen", "il y a 2 jours", "3 дня назад"). The
# count may be written in words ("an hour ago", "vor einem Tag", "半小时前", "一天前"), and a
# day or the moment may be named alone ("昨天", "yesterday", "just now", "たった今").
_COUNT_WORDS = ("an?", "one", r"a\s+few", "few")
_ZH_NUMERALS = "一二两兩三四五六七八九十半几幾数數"
_ARTICLES = ("eine[mnr]?", "une?", "una?", "um", "uma", "een", "bir")
_COUNT = rf"(?:\d+\s*|(?:{'|'.join(_COUNT_WORDS)})\s+)"
_ZH_COUNT = rf"(?:\d+|[{_ZH_NUMERALS}]{{1,3}})\s*(?:个|個)?"
_ARTICLE = rf"(?:\d+\s*|(?:{'|'.join(_ARTICLES)})\s+|un')"
_RELATIVE_DAYS = (
    "今天", "昨天", "前天", "今日", "昨日", "오늘", "어제", "today", "yesterday", "heute",
    "gestern", "aujourd'hui", "hier", "hoy", "ayer", "hoje", "ontem", "oggi", "ieri", "vandaag",
    "gisteren", "сегодня", "вчера", "dzisiaj", "wczoraj", "bugün", "dün", "dnes", "včera",
)  # fmt: skip
_RELATIVE_NOW = (
    "刚刚", "剛剛", "刚才", "剛才", "たった今", "방금", "just now", "moments ago",
    "a moment ago", "gerade eben", "à l'instant", "hace un momento", "agora mesmo", "poco fa",
    "zojuist", "только что", "przed chwilą", "az önce", "právě teď",
)  # fmt: skip
# The words "ago" stands for after a count ("3 giorni fa") and before one ("vor 3 Tagen").
_AGO_AFTER = ("fa", "geleden", "назад", "temu", "önce", "lalu", "trước", "sedan")
_AGO_BEFORE = ("vor", "il y a", "hace", "há", "cách đây")
RELATIVE_DATE_RE = re.compile(
    # a larger unit may come first: V2EX's "4 小时 35 分钟前", "1 day 3 hours ago"
    r"\s*(?:(?:\d+\s*(?:年|个月|個月|周|週|天|小时|小時|years?|months?|weeks?|days?|hours?),?\s*(?=\d))?"
    rf"(?:{_ZH_COUNT}\s*(?:秒钟?|分钟|分鐘|分|小时|小時|時間|天|日|周|週|週間|星期|月|ヶ月|か月|カ月|年)前"
    r"|\d+\s*(?:초|분|시간|일|주|개월|달|년)\s*전"
    rf"|{_COUNT}(?:s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?|mo|mos"
    r"|months?|y|yrs?|years?)\s+ago"
    rf"|{_ARTICLE}[^\W\d_]{{1,12}}\s+(?:{phrases(_AGO_AFTER)}))"
    rf"|(?:{phrases(_AGO_BEFORE)})\s+{_ARTICLE}[^\W\d_]{{1,12}}"
    rf"|(?:{phrases(_RELATIVE_NOW)})"
    rf"|(?:{phrases(_RELATIVE_DAYS)})"
    r"(?:\s*(?:в|um|à|a\s+las|às|alle|om|o)?\s*\d{1,2}[:h]\d{2}(?::\d{2})?)?)\s*$",
    re.I,
)
# How a relative date said without a digit starts, its label aside: a day's or the
# moment's name ("昨天", "just now"), a count in words ("an hour ago", "半小时前", "vor einem
# Tag"). The starts are grouped by their first letter: most texts fail at once.
_RELATIVE_STARTS = tuple(
    dict.fromkeys(
        [phrase.split()[0] for phrase in (*_RELATIVE_DAYS, *_RELATIVE_NOW, *_AGO_BEFORE)]
        + [*_COUNT_WORDS, *_ARTICLES, "un'"]
        + list(_ZH_NUMERALS)
    )
)
RELATIVE_START_RE = re.compile(rf"\s*(?:{_words(*_RELATIVE_STARTS)}|{PUBLISHED_RE.pattern})", re.I)
# A relative date's published label before it ("发布于 3天前", "Posted 2 days ago", CSDN's
# "发布博客 昨天 22:41 ·"), and the separators after it, on its line.
_RELATIVE_LABEL_RE = re.compile(
    rf"\s*(?:{PUBLISHED_RE.pattern})\s*(?:于|於|博客|时间|時間|on|at)?\s*[:：]?", re.I
)
_AFTER_DATE = " \u00a0·|｜•-—"


def reads_relative_date(text: str, most: int) -> bool:
    """Tell whether a text says a date relative to the day it was read, of ``most``
    characters at most, alone or after its published label."""
    if len(text) <= most and RELATIVE_DATE_RE.match(text) is not None:
        return True
    label = _RELATIVE_LABEL_RE.match(text)
    if label is None:
        return False
    said = text[label.end() :].rstrip(_AFTER_DATE)
    return len(said) <= most and RELATIVE_DATE_RE.match(said) is not None


# A label heading a list of term links, the whole of its text ("Tags", "分类：").
LIST_LABEL_RE = re.compile(
    rf"^\s*(?:(?P<category>{_CATEGORY_WORDS})|(?P<tag>{_TAG_WORDS}))\s*[:：]?\s*$", re.I
)
CATEGORY_ICON_RE = re.compile(r"folder|categor|archive", re.I)
TAG_ICON_RE = re.compile(r"(?:^|-)tags?(?:$|-)", re.I)
# Names in one text: split at commas and bars, and at a slash set apart by spaces
# ("Go / Rust"); "CI/CD" is one name.
LIST_SPLIT_RE = re.compile(r"\s*[,，、|]\s*|\s+/\s+")

WIDGET_TITLE_RE = re.compile(
    _words(
        "热门", "最新", "最近", "推荐", "相关", "随机", "热文", "排行", "归档", "熱門", "推薦",
        "相關", "隨機", "熱搜", "歸檔", "인기", "최근", "recent", "popular", "hot", "latest",
        "related", "trending",
        "random", "archives?", r"most\s+read", r"top\s+posts", "neueste", "beliebte", "récents",
        "populaires", "recientes", "populares", "recentes", "recenti", "popolari", "populaire",
        "свежие", "популярные", "последние", "najnowsze", "popularne", "archiv", "archivo",
        "arquivo", "archivio", "archief", "архив", "arsip",
    ),
    re.I,
)  # fmt: skip
SIDEBAR_TOKEN_RE = re.compile(r"sidebar|widget|aside", re.I)
# A class that says whether a layout has its sidebar, or in what state: ``no-sidebar``,
# ``has-sidebar``, ``sidebar-collapsed``, ``app-aside-fixed``. The element is the page
# around the sidebar.
LAYOUT_STATE_RE = re.compile(
    r"^(?:no|has|with|without|hide|show|toggle)[-_]"
    r"|[-_](?:no|has|with|without)[-_](?:sidebar|aside)"  # Habr's tm-page__main_has-sidebar
    r"|--(?:sidebar|aside)$"  # a BEM modifier: TeXt's layout--page--sidebar, a page's variant
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
     "lgtm", "いいね", "スキ", "hits", "hit",
     # in traditional Chinese, Korean and other languages: "조회 12", "5 Min. Lesezeit"
     "閱讀", "瀏覽", "評論", "分鐘", "觀看次數", "讚", "조회", "조회수", "댓글", "공감", "좋아요",
     "라이킷", "분", "읽기", "lesezeit", "lecture", "lectura", "leitura", "lettura", "leestijd",
     "läsning", "lesetid", "мин", "чтения", "просмотров", "просмотры", "okuma", "dk", "menit",
     "baca", "phút", "đọc", "lượt", "xem", "minuten", "minuti", "minutos", "minut", "minuty",
     "kommentare", "kommentar", "commentaires", "commentaire", "comentarios", "comentários",
     "commenti", "reacties", "комментариев", "комментария", "комментарий", "komentarzy"}
)  # fmt: skip
_COUNT_TOKEN_RE = re.compile(r"\d[\d.,]*[^\W\d_]*\+?|[^\W\d_]+")


def reads_as_count(text: str) -> bool:
    """Tell whether a short text shows a count and its words alone ("阅读 120", "12
    comments", "(1.2k)"), a number among them."""
    tokens = _COUNT_TOKEN_RE.findall(text)
    return any(token[0].isdigit() for token in tokens) and all(
        token[0].isdigit() or token.lower() in STATS_WORDS for token in tokens
    )


def is_count_words(text: str) -> bool:
    """Tell whether ``text`` holds only the words of counts and times, without a number
    ("comments", "次阅读", "min read"): what is left of a meta line whose numbers are
    links, or elements of their own."""
    tokens = _COUNT_TOKEN_RE.findall(text)
    return bool(tokens) and all(token.lower() in STATS_WORDS for token in tokens)


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
MAX_TITLED_LABEL = 32  # the label with its colon: "Continuar leyendo:" and a space or two
_READ_MORE_TITLED_RE = re.compile(rf"^\s*(?:{READ_MORE_WORDS})\s*[:：…]", re.I)


def is_read_more(text: str) -> bool:
    """Tell whether link text is a "Read more" button rather than a title."""
    if not text:
        return False
    if len(text) <= 30 and _reads_more(text):
        return True
    # (a label such as "Read more:" needs its colon or ellipsis: most texts have none)
    head = text[:MAX_TITLED_LABEL]
    return ("：" in head or ":" in head or "…" in head) and _READ_MORE_TITLED_RE.match(
        text
    ) is not None


@lru_cache(maxsize=1024)  # every card of a page shows the same few button texts
def _reads_more(text: str) -> bool:
    return READ_MORE_RE.match(text) is not None


# A link to a post's comments, by its words: "评论", "12 条评论", "Comments (3)",
# "Leave a comment". It names no post.
COMMENTS_LINK_RE = re.compile(
    r"^\s*(?:\d+\s*(?:条\s*|則\s*|개\s*)?)?(?:评论|留言|回复|評論|回覆|댓글|comments?|repl(?:y|ies)"
    r"|responses?|kommentare?|commentaires?|comentarios?|comentários?|commenti|commento|reacties?"
    r"|комментари(?:й|я|ев)|komentarz(?:e|y)?|yorum(?:lar)?|komentář(?:e|ů)?|kommentarer?|komentar"
    r"|bình\s+luận)"
    r"\s*(?:[(（]\s*\d+\s*[)）]|\d+)?\s*$"
    r"|^\s*(?:查看|发表|添加|写)评论\s*$|^\s*(?:leave|add|post)\s+a\s+(?:comment|reply)\s*$"
    r"|^\s*no\s+comments(?:\s+yet)?\s*$"
    r"|^\s*(?:schreibe\s+einen\s+kommentar|laisser\s+un\s+commentaire|deja\s+un\s+comentario"
    r"|deixe\s+um\s+comentário|lascia\s+un\s+commento|оставить\s+комментарий|dodaj\s+komentarz"
    r"|댓글\s*쓰기)\s*$",
    re.I,
)


def is_control(text: str) -> bool:
    """Tell whether link text is a button ("Read more", "评论", "Permalink") rather than a
    title."""
    return is_read_more(text) or (
        len(text) <= 30 and (reads_comments(text) or PERMALINK_RE.match(text) is not None)
    )


# The link an untitled post (WordPress's asides, Tumblr's notes) is reached by.
PERMALINK_RE = re.compile(
    rf"^{_EDGE}(?:permalink|固定链接|永久链接|本文链接|固定連結|永久連結){_EDGE}$", re.I
)


@lru_cache(maxsize=1024)  # every card of a page shows the same few button texts
def reads_comments(text: str) -> bool:
    """Tell whether link text leads to a post's comments ("12 条评论", "Leave a comment")."""
    return COMMENTS_LINK_RE.match(text) is not None
