from django.test import SimpleTestCase

from releases.rendering import render_markdown

SOURCE = "https://www.beehive.govt.nz/release/some-release"


class RenderingTests(SimpleTestCase):
    def test_hostile_html_is_removed(self):
        """Scripts, styles, event handlers and javascript: URLs never survive."""
        html = render_markdown(
            '<script>alert(1)</script>\n\n<img src="x.png" onerror="alert(2)">'
            '<a href="javascript:alert(3)">go</a>[md](javascript:alert(4))'
            "<style>body{}</style><iframe src=https://evil.example></iframe>"
        )
        for fragment in ("script", "alert", "onerror", "javascript", "style", "iframe"):
            self.assertNotIn(fragment, html)

    def test_site_relative_links_point_at_the_source_site(self):
        """'/sites/…' images and links resolve against the site the release came from;
        absolute and protocol-relative ones are left alone."""
        html = render_markdown(
            "![photo](/sites/a.jpg) [doc](/media/1) [abs](https://example.org/x) [pr](//cdn.example/y)",
            SOURCE,
        )
        self.assertIn('src="https://www.beehive.govt.nz/sites/a.jpg"', html)
        self.assertIn('href="https://www.beehive.govt.nz/media/1"', html)
        self.assertIn('href="https://example.org/x"', html)
        self.assertIn('href="//cdn.example/y"', html)

    def test_text_that_looks_like_an_attribute_is_not_rewritten(self):
        """Only real attributes change: text about href="/x" stays as written."""
        html = render_markdown('Type `href="/x"` to link.', SOURCE)
        self.assertIn('<code>href="/x"</code>', html)

    def test_links_without_an_address_are_plain_text(self):
        """'[text]()' shows its text, not a link to the page itself."""
        html = render_markdown("See [the report]() and [this](https://example.org/).")
        self.assertIn('See <a rel="nofollow noopener noreferrer">the report</a>', html)
        self.assertIn('<a href="https://example.org/"', html)
        self.assertNotIn('href=""', html)

    def test_links_to_a_bare_www_host_get_a_scheme(self):
        """'[DBH](www.dbh.govt.nz)' links to that site, not to an address on this one;
        text about href="www.x" stays as written."""
        html = render_markdown('[DBH](www.dbh.govt.nz) `href="www.x"`')
        self.assertIn('href="https://www.dbh.govt.nz"', html)
        self.assertIn('<code>href="www.x"</code>', html)

    def test_headings_step_down_below_the_page_title(self):
        """A body's own h1 becomes an h2, so the page keeps one h1."""
        self.assertEqual(render_markdown("# Heading"), "<h2>Heading</h2>\n")

    def test_empty_body_renders_nothing(self):
        """An empty or blank body renders to an empty string."""
        self.assertEqual(render_markdown("  \n"), "")

    def test_control_characters_are_dropped(self):
        """Control characters that break XML feeds are removed from the HTML."""
        self.assertEqual(render_markdown("a\x0bb\x9dc"), "<p>abc</p>\n")
