"""People's pages among a listing's links: an author's, a member's, a profile (no posts)."""

from __future__ import annotations

import re

# A path with one of these before its last segment is a person's page (``/author/ada/``,
# ``/user/3641590537842718``, ``/people/x``), as is a last segment that is a handle
# (``/@ada``): no post.
_PROFILE_SEGMENTS = frozenset(
    {"author", "authors", "user", "users", "u", "people", "profile", "profiles", "member",
     "members"}
)  # fmt: skip
# A folder of people named otherwise (``usersnew``, ``user-center``), above an id.
_PEOPLE_FOLDER_RE = re.compile(r"(?:users?|members?|authors?)[-_]?[a-z]*$", re.I)
_ID_RE = re.compile(r"(?:id[-_]?)?\d{3,}$", re.I)
_PROFILE_TAILS = frozenset(
    {
        "posts",
        "articles",
        "profile",
        "about",
        "followers",
        "following",
        "likes",
        "activity",
        "publish",
    }
)
_PROFILE_QUERY_KEYS = frozenset({"author", "author_name", "auth"})  # Z-Blog's ?auth=1
# Discuz's member pages: home.php?mod=space&uid=12 (&username=ada by name), space-uid-12.html.
_MEMBER_QUERY_RE = re.compile(r"(?:^|&)(?:uid=\d|username=[^&])")
_MEMBER_PATH_RE = re.compile(r"^space-uid-\d+\.html?$")


def is_profile(segments: list[str]) -> bool:
    """Tell whether a path is a person's page: ``/author/ada/``, ``/@ada``.

    The person's folder sits right above their name: ``/u/4526289/blog/17301122`` is a
    post of that person's blog (OSChina), not their page.
    """
    if not segments:
        return False
    if segments[-1].startswith("@") or _MEMBER_PATH_RE.match(segments[-1]):
        return True
    if len(segments) >= 2 and segments[-2] in _PROFILE_SEGMENTS:
        return True
    if len(segments) >= 2 and _PEOPLE_FOLDER_RE.match(segments[-2]) and _ID_RE.match(segments[-1]):
        return True  # Huawei Cloud's /community/usersnew/id_1598765432109876
    # A person's own pages: /user/ada/posts, /members/ada/profile.
    return (
        len(segments) >= 3
        and segments[-3] in _PROFILE_SEGMENTS
        and (segments[-1] in _PROFILE_TAILS)
    )


def names_person(query: str, first_key: str) -> bool:
    """Tell whether a query, whose first parameter is ``first_key``, names a person:
    ``?author=2``, Z-Blog's ``?auth=1``, Discuz's ``uid=12``."""
    return first_key in _PROFILE_QUERY_KEYS or bool(_MEMBER_QUERY_RE.search(query))
