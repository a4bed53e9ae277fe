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
        """'[text]()' shows its text, not a link to the page itself nor an <a> without
        an address."""
        html = render_markdown("See [the report]() and [this](https://example.org/).")
        self.assertIn("<p>See the report and <a href=", html)
        self.assertIn('<a href="https://example.org/"', html)
        self.assertEqual(html.count("<a"), 1)

    def test_phone_links_are_kept(self):
        """A phone number given as a tel: link (as 13 real releases do) stays a link the
        reader can tap."""
        html = render_markdown(
            "Call [0800 559 009](tel:0800%20559%20009) or <a href='tel:+6448176801'>us</a>."
        )
        self.assertIn(
            '<a href="tel:0800%20559%20009" rel="nofollow noopener noreferrer">0800 559 009</a>',
            html,
        )
        self.assertIn('<a href="tel:+6448176801"', html)

    def test_javascript_dressed_as_a_phone_link_is_plain_text(self):
        """javascript: and data: addresses that mention tel: lose their link and keep
        only their text."""
        html = render_markdown(
            "[0800 1](javascript:tel:0800) [0800 2](JavaScript:alert('tel:0800'))"
            ' <a href="jav&#x09;ascript:tel:0800">0800 3</a> <a href="data:text/html,tel:0800">0800 4</a>'
        )
        self.assertEqual(html, "<p>0800 1 0800 2 0800 3 0800 4</p>\n")

    def test_empty_links_are_dropped(self):
        """A link with no text (42 real ones have an address, 114 none) is left out, so a
        screen reader never meets a link with no name; a link that is only an image with
        alternative text stays."""
        html = render_markdown(
            "Read the briefing [](/sites/all/files/Veterans_BIM.pdf).\n\n[]()\n\n"
            "[ ](https://example.org/) [**&nbsp;**](https://example.org/)"
            " [![Logo](/logo.png)](https://example.org/) [![](/blank.png)](https://example.org/)",
            SOURCE,
        )
        self.assertIn("<p>Read the briefing .</p>", html)
        self.assertIn(
            '<a href="https://example.org/" rel="nofollow noopener noreferrer"><img src="https://www.beehive.govt.nz/logo.png" alt="Logo"></a>',
            html,
        )
        self.assertIn('<img src="https://www.beehive.govt.nz/blank.png" alt="">', html)
        self.assertEqual(html.count("<a"), 1)

    def test_links_without_href_in_raw_html_are_plain_text(self):
        """An <a> the body writes without an address (a named anchor, or one whose address
        the sanitiser removed) shows only its text."""
        html = render_markdown(
            '<a name="top">Top</a> and <a title="Why" onclick="x()">why</a>, [ok](https://example.org/)'
        )
        self.assertEqual(html.count("<a"), 1)
        self.assertIn("Top and why, <a", html)

    def test_links_to_a_bare_www_host_get_a_scheme(self):
        """'[DBH](www.dbh.govt.nz)' links to that site, not to an address on this one;
        text about href="www.x" stays as written."""
        html = render_markdown('[DBH](www.dbh.govt.nz) `href="www.x"`')
        self.assertIn('href="https://www.dbh.govt.nz"', html)
        self.assertIn('<code>href="www.x"</code>', html)

    def test_headings_step_down_below_the_page_title(self):
        """A body's own h1 becomes an h2, so the page keeps one h1."""
        self.assertEqual(render_markdown("# Heading"), "<h2>Heading</h2>\n")

    def test_headings_never_skip_a_level(self):
        """A body's headings follow the page title without a gap in the outline, and
        headings written at one level stay siblings."""
        html = render_markdown("### Overview\n\n##### Detail\n\n### Funding\n\n#### Health")
        self.assertEqual(
            html, "<h2>Overview</h2>\n<h3>Detail</h3>\n<h2>Funding</h2>\n<h3>Health</h3>\n"
        )

    def test_empty_body_renders_nothing(self):
        """An empty or blank body renders to an empty string."""
        self.assertEqual(render_markdown("  \n"), "")

    def test_control_characters_are_dropped(self):
        """Control characters that break XML feeds are removed from the HTML."""
        self.assertEqual(render_markdown("a\x0bb\x9dc"), "<p>abc</p>\n")
