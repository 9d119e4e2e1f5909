"""Trade promotion: campaigns and collections shown on the home page, and trade fairs with their calendar."""
