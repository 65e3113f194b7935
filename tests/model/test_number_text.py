"""model.values.format_number: the text a witness or an evaluator try gives a number, read back by parse_number."""

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from trustgraph.model.values import format_number, parse_number


@given(st.integers(-10**30, 10**30), st.integers(0, 12), st.integers(0, 12))
def test_a_finite_decimal_reads_back_exactly(numerator: int, twos: int, fives: int) -> None:
    n = Fraction(numerator, 2**twos * 5**fives)
    assert parse_number(format_number(n)) == n


@given(st.integers(-10**12, 10**12), st.integers(3, 10**6).filter(lambda d: d % 2 and d % 5))
def test_any_other_fraction_is_the_nearest_twelve_digit_decimal(numerator: int, denominator: int) -> None:
    n = Fraction(numerator, denominator)
    back = parse_number(format_number(n))
    assert back is not None and abs(back - n) <= Fraction(1, 2 * 10**12)


def test_texts() -> None:
    texts = [format_number(Fraction(x)) for x in ("3", "-3", "1.5", "-0.25", "0.1")]
    assert texts == ["3", "-3", "1.5", "-0.25", "0.10"]  # one digit per factor 2 or 5 of the denominator
    assert format_number(Fraction(1, 3)) == "0.333333333333"
    assert format_number(Fraction(-2, 3)) == "-0.666666666667"
