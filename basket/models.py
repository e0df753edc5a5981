"""The basket: events (with their delegates) and packages, kept for account users across
logins and for guests for their session. Prices are never stored here: pricing computes them."""

from django.db import models
from django.db.models import Q


class Basket(models.Model):
    user = models.OneToOneField(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="basket"
    )
    session_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(session_key__isnull=False),
                name="basket_has_owner",
            )
        ]

    def __str__(self) -> str:
        return f"Basket {self.pk}"


class BasketLine(models.Model):
    basket = models.ForeignKey(Basket, on_delete=models.CASCADE, related_name="lines")
    event = models.ForeignKey("events.Event", null=True, blank=True, on_delete=models.CASCADE)
    product = models.ForeignKey("catalogue.Product", null=True, blank=True, on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(event__isnull=False) & Q(product__isnull=True))
                | (Q(event__isnull=True) & Q(product__isnull=False)),
                name="basket_line_event_or_product",
            ),
            models.UniqueConstraint(
                fields=["basket", "event"],
                condition=Q(event__isnull=False),
                name="one_basket_line_per_event",
            ),
            models.UniqueConstraint(
                fields=["basket", "product"],
                condition=Q(product__isnull=False),
                name="one_basket_line_per_product",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="basket_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.event or self.product}"


class BasketDelegate(models.Model):
    line = models.ForeignKey(BasketLine, on_delete=models.CASCADE, related_name="delegates")
    name = models.CharField(max_length=150)
    email = models.EmailField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
