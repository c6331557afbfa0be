"""What the sample shops sell: names and unit prices as their tills print them."""

from __future__ import annotations

DINER_MENU = (
    ("Pancake Stack", "8.95"),
    ("Coffee", "2.50"),
    ("Orange Juice", "3.75"),
    ("Club Sandwich", "11.50"),
    ("Cheeseburger", "12.25"),
    ("French Fries", "4.25"),
    ("Eggs Benedict", "13.95"),
    ("Milkshake", "5.95"),
    ("Apple Pie", "4.75"),
    ("Iced Tea", "2.95"),
    ("Caesar Salad", "9.50"),
    ("BLT", "9.25"),
)


MY_SHOP = (
    ("MILO 1KG", "17.90"),
    ("GARDENIA BREAD", "3.85"),
    ("MAGGI KARI 5S", "5.99"),
    ("DUTCH LADY 1L", "6.49"),
    ("BERAS 5KG", "18.50"),
    ("GULA 1KG", "2.85"),
    ("TEH BOH 100S", "9.79"),
    ("MINYAK 2KG", "11.20"),
    ("TELUR GRED A", "13.20"),
    ("SUNLIGHT 900ML", "4.95"),
    ("100PLUS 1.5L", "3.29"),
    ("KICAP MANIS", "4.15"),
)


EU_CAFE = (
    ("Cappuccino", "3.50", "19"),
    ("Latte Macchiato", "3.90", "19"),
    ("Espresso", "2.20", "19"),
    ("Apfelschorle", "2.90", "19"),
    ("Croissant", "2.40", "7"),
    ("Käsekuchen", "3.80", "7"),
    ("Brezel", "1.60", "7"),
    ("Bagel Lachs", "5.90", "7"),
    ("Heiße Schokolade", "3.60", "19"),
)


JP_KONBINI = (
    ("ONIGIRI SAKE", "160"),
    ("ONIGIRI TUNA MAYO", "140"),
    ("GREEN TEA 500ML", "150"),
    ("BENTO KARAAGE", "598"),
    ("SANDWICH TAMAGO", "298"),
    ("COFFEE M", "180"),
    ("PUDDING", "238"),
    ("CUP NOODLE", "214"),
    ("WATER 2L", "118"),
    ("MELON PAN", "165"),
)


KW_STORE = (
    ("NIDO MILK POWDER 2.5KG", "6.750"),
    ("ALMARAI JUICE 1L", "0.450"),
    ("BASMATI RICE 5KG", "3.250"),
    ("KDD LABAN 1L", "0.350"),
    ("AMERICANA CHICKEN", "1.875"),
    ("TIDE 3KG", "2.990"),
    ("DATES KHALAS 1KG", "1.500"),
    ("ARABIC BREAD 6PC", "0.150"),
    ("PUCK CREAM", "0.725"),
)


UK_SHOP = (  # name, unit price, VAT-able, price per kg when weighed
    ("Semi Skimmed Milk 2L", "1.65", ""),
    ("Wholemeal Bread", "1.35", ""),
    ("Loose Bananas", "0.94", "kg"),
    ("Walkers Crisps 6pk", "2.25", "*"),
    ("Cheddar 400g", "3.70", ""),
    ("Free Range Eggs 6", "2.10", ""),
    ("Coca-Cola 1.75L", "2.29", "*"),
    ("Washing Up Liquid", "1.50", "*"),
    ("Carrots Loose", "0.65", "kg"),
    ("Pasta Fusilli 500g", "0.95", ""),
    ("Tinned Tomatoes", "0.55", ""),
    ("Red Wine 75cl", "7.50", "*"),
    ("Chicken Breast 650g", "5.25", ""),
    ("Greek Yoghurt 500g", "1.80", ""),
    ("Toilet Roll 9pk", "4.75", "*"),
    ("Basmati Rice 1kg", "2.40", ""),
    ("Apples Pink Lady 4", "2.30", ""),
    ("Orange Juice 1L", "1.95", ""),
    ("Dark Chocolate 100g", "1.25", "*"),
    ("Porridge Oats 1kg", "1.10", ""),
    ("Toothpaste 75ml", "2.00", "*"),
    ("Broccoli", "0.79", ""),
    ("Salmon Fillets 2pk", "4.50", ""),
    ("Butter 250g", "2.15", ""),
    ("Sparkling Water 1L", "0.60", "*"),
    ("Tea Bags 80", "2.60", ""),
    ("Kitchen Foil", "1.85", "*"),
    ("Frozen Peas 1kg", "1.40", ""),
)
