"""StreamField blocks for the site's pages, all in one module (as in bakerydemo)."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"))
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3"))],
        default="h2",
        help_text=_("Use Heading 2 for sections and Heading 3 for subsections."),
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "cms/blocks/heading_block.html"


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        kwargs.setdefault("label", _("Text"))
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        template = "cms/blocks/paragraph_block.html"


class NumberedElementBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES, required=False)

    class Meta:
        label = _("Element")


class NumberedElementsBlock(blocks.StructBlock):
    """An ordered list of named elements, such as the four elements of recovery work."""

    heading = blocks.CharBlock(label=_("Heading"), required=False)
    intro = blocks.RichTextBlock(
        label=_("Introduction"), features=RICH_TEXT_FEATURES, required=False
    )
    elements = blocks.ListBlock(NumberedElementBlock(), label=_("Elements"), min_num=1)

    class Meta:
        icon = "list-ol"
        label = _("Numbered elements")
        template = "cms/blocks/numbered_elements_block.html"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "cms/blocks/quote_block.html"


class CalloutBlock(blocks.StructBlock):
    """A highlighted box for something the reader must not miss."""

    variant = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("info", _("Information")), ("important", _("Important")), ("tip", _("Tip"))],
        default="info",
    )
    title = blocks.CharBlock(label=_("Title"))
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("Callout")
        template = "cms/blocks/callout_block.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"), required=False, help_text=_("Leave empty to use the document title.")
    )

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "cms/blocks/document_block.html"


class BodyBlock(blocks.StreamBlock):
    """The body of content pages: news, the concept, the initiative, standard pages."""

    heading = HeadingBlock()
    paragraph = ParagraphBlock()
    numbered_elements = NumberedElementsBlock()
    quote = QuoteBlock()
    callout = CalloutBlock()
    document = DocumentBlock()


class SectionBlock(blocks.StructBlock):
    """A titled section of practical information on a pool page."""

    heading = blocks.CharBlock(label=_("Heading"))
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "doc-full-inverse"
        label = _("Section")
        template = "cms/blocks/section_block.html"


class PracticalInformationBlock(blocks.StreamBlock):
    section = SectionBlock()
    callout = CalloutBlock()
