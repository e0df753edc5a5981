"""Billing: the bodies that invoice schools (invoices, credit notes and coupons build on these)."""

from django.db import models


class InvoicingBody(models.Model):
    """Who invoices a line: HEP, or the London Borough of Haringey for Early Years and SEND."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    address = models.TextField()
    payment_details = models.TextField(help_text="Bank details and how to pay, printed on invoices.")
    invoice_prefix = models.CharField(max_length=10, unique=True)
    email = models.EmailField(blank=True)
    vat_number = models.CharField(max_length=30, blank=True)
    is_default = models.BooleanField(
        default=False, help_text="Invoices everything not assigned to another body."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="one_default_invoicing_body",
            )
        ]

    def __str__(self) -> str:
        return self.name
