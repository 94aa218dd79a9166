"""Go's text/template in pure Python, modelling Go's types so output bytes match Go's."""
