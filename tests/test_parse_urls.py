"""Splitting URLs: the shortcut for URLs on an origin split before agrees with urlsplit."""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

import pytest

from feedkeeper.parse.link_targets import not_posts, target_of, taxonomy_kind
from feedkeeper.parse.page_numbers import page_number
from feedkeeper.parse.urls import site_of, split_on_known_origin, split_url

ORIGINS = ["https://blog.example", "http://user@127.0.0.1:8000", "https://[::1]:8443"]
URLS = [
    "https://blog.example/posts/a/",
    "https://blog.example/posts/a/?page=2#top",
    "https://blog.example/p#frag?not-a-query",
    "https://blog.example/",
    "https://blog.example//twice//",
    "https://blog.example/%E4%B8%AD/ file [1].html",
    "http://user@127.0.0.1:8000/page/3/?x=1&y=2",
    "https://[::1]:8443/a?b",
    "https://blog.example/tab\there/",
    "https://blog.example/line\nbreak/",
    "https://blog.example?q=/path",
    "https://blog.example#/path",
    "HTTPS://blog.example/upper/",
    "https://blog.example.evil/",
    "https://blog.example:443/port/",
    " https://blog.example/leading-space/",
    "https://other.example/x/",
    "https://[::1/broken",
]


@pytest.fixture(autouse=True)
def known_origins() -> None:
    # Split afresh: a split kept from an earlier test learns no origin, and the origins
    # learned are forgotten after many others (earlier tests may have split hundreds).
    split_url.cache_clear()
    for origin in ORIGINS:
        split_url(origin + "/")


@pytest.mark.parametrize("url", URLS)
def test_a_url_splits_as_urlsplit_splits_it(url: str) -> None:
    try:
        expected: SplitResult | None = urlsplit(url)
    except ValueError:
        expected = None
    assert split_url(url) == expected


def test_a_url_on_a_known_origin_is_cut_without_urlsplit() -> None:
    assert split_on_known_origin("https://blog.example/a/b?c=1#d") == SplitResult(
        "https", "blog.example", "/a/b", "c=1", "d"
    )
    assert split_on_known_origin("http://user@127.0.0.1:8000/x#y?z") == SplitResult(
        "http", "user@127.0.0.1:8000", "/x", "", "y?z"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://blog.example/tab\there/",  # urlsplit drops the tab: left to it
        "https://blog.example?q=/path",  # the host ends at "?", not at a "/"
        "HTTPS://blog.example/upper/",  # the scheme is spelled otherwise
        "https://blog.example.elsewhere/",  # another host that starts alike
        "https://unknown.example/",  # never split
        "/relative/path",
    ],
)
def test_other_urls_are_left_to_urlsplit(url: str) -> None:
    assert split_on_known_origin(url) is None


def test_a_url_urlsplit_refuses_splits_to_none() -> None:
    assert split_url("https://[::1/broken") is None


@pytest.mark.parametrize(
    ("url", "site", "post_shape", "path_kind"),
    [
        ("https://www.blog.example/p/1/#more", "blog.example", True, None),
        ("https://blog.example/", "blog.example", False, None),  # the home page
        ("https://blog.example/index.html", "blog.example", False, None),
        ("https://blog.example/?s=1", "blog.example", True, None),  # a query is no home page
        ("https://blog.example/page/2/", "blog.example", False, None),
        ("https://blog.example/Page-3.html", "blog.example", False, None),
        ("https://blog.example/list?paged=2", "blog.example", False, None),
        ("https://blog.example/pages/about/", "blog.example", True, None),
        ("https://blog.example/feed/", "blog.example", False, None),
        ("https://blog.example/p/cover.JPG?w=100#x", "blog.example", False, None),
        ("https://blog.example/v1.2/notes", "blog.example", True, None),  # a dot, no file
        ("https://blog.example/Tags/Rust/", "blog.example", True, "tag"),
        ("https://blog.example/category.html/x", "blog.example", True, "category"),
        ("https://blog.example/tags/", "blog.example", False, "tag"),  # the terms' index
        ("https://blog.example/blog/category/ml/", "blog.example", True, "category"),
        ("https://blog.example/blog/tag:sqlite", "blog.example", True, "tag"),
        # a post's slug that is a taxonomy's word: the post was dropped as a term link
        ("https://blog.example/2024/05/sort.html", "blog.example", True, None),
        ("https://blog.example/posts/tags/", "blog.example", True, None),
        ("https://blog.example/p/label/", "blog.example", True, None),
        ("https://User@Blog.Example:8080/p/1", "blog.example", True, None),
        ("https://[::1/broken", "", True, None),  # unparsable: no site, no path
    ],
)
def test_a_urls_target_says_its_site_shape_and_taxonomy(
    url: str, site: str, post_shape: bool, path_kind: str | None
) -> None:
    target = target_of(url)
    assert (target.key, target.site, target.post_shape, target.path_kind) == (
        url.split("#")[0],
        site,
        post_shape,
        path_kind,
    )
    assert site_of(url) == site


def test_a_links_kind_is_its_rel_before_its_path() -> None:
    assert taxonomy_kind("https://blog.example/tags/x/", "Category Tag") == "category"
    assert taxonomy_kind("https://blog.example/x/", "TAG") == "tag"
    # WordPress gives every term link rel="tag", a category's too: the path tells.
    assert taxonomy_kind("https://blog.example/categories/x/", "TAG") == "category"
    assert taxonomy_kind("https://blog.example/category/db/", "tag") == "category"
    assert taxonomy_kind("https://blog.example/tag/db/", "tag") == "tag"
    assert taxonomy_kind("https://blog.example/categories/x/", "bookmark") == "category"
    assert taxonomy_kind("https://blog.example/p/1/") is None


def test_a_person_s_own_pages_are_no_posts() -> None:
    from feedkeeper.parse.link_targets import target_of

    assert not target_of("https://b.example/users/ada/posts").post_shape
    assert not target_of("https://b.example/members/ada/profile/").post_shape
    assert target_of("https://b.example/u/4526289/blog/17301122").post_shape


@pytest.mark.parametrize(
    ("url", "number", "post_shaped"),
    [
        ("https://b.example/list/?p=2", 2, False),  # a listing's page 2
        ("https://b.example/blog/?cat=3&p=4", 4, False),
        ("https://b.example/?p=412", None, True),  # WordPress's plain link to a post
        ("https://b.example/?page=2", 2, False),
    ],
)
def test_p_numbers_a_page_below_the_root_and_a_post_at_it(
    url: str, number: int | None, post_shaped: bool
) -> None:
    assert page_number(url) == number
    assert target_of(url).post_shape is post_shaped


def test_a_folder_linked_with_a_tracking_query_is_no_post() -> None:
    # Medium: the publication, linked with ?source= numbering the card's place, holds the post.
    post = "https://medium.com/pub/a-post-1a2b?source=tag_page---0"
    publication = "https://medium.com/pub?source=tag_page---0"
    assert not_posts(sorted([post, publication])) == {publication}
    # Another parameter names another page: /list?cat=3 holds nothing below it.
    assert not_posts(sorted(["https://b.example/list?cat=3", "https://b.example/list/a-post"])) == (
        frozenset()
    )
