"""Text to numbers and dates: NumberFormatException, ArithmeticException and ParseException
(java.text.ParseException, java.time DateTimeParseException, generated parsers' ParseException).

Its templates are all declared in utils/corpus/templates/numbers.yaml."""
