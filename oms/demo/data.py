"""The demo retailer, Maison Lumière: a French fashion and home retailer with a
central warehouse near Orléans, a drop-ship textile supplier and 44 stores in real
French cities (shopping streets at their real coordinates), a catalogue of clothes,
shoes, accessories, home linen and lamps, and the demo accounts.

Pure data: no Django imports, nothing written. `seed.py` turns it into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BRAND = "Maison Lumière"
DEMO_URL = "http://127.0.0.1:8000"

# --- Stock points ---------------------------------------------------------------

ALL_STORE_SERVICES = [
    "ship_from_store",
    "click_and_collect",
    "ship_to_store",
    "e_reservation",
    "order_in_store",
    "returns",
]


@dataclass(frozen=True)
class Tier:
    """How big a store is: its assortment, stock depth, capacity and speed."""

    name: str
    assortment: float  # share of the catalogue's styles (model and colour) it carries
    depth: float  # multiplier on the units of each SKU it carries
    daily_capacity: int  # web orders a day
    processing_time_hours: int


FLAGSHIP = Tier("flagship", assortment=0.60, depth=2.0, daily_capacity=150, processing_time_hours=2)
LARGE = Tier("large", assortment=0.42, depth=1.5, daily_capacity=90, processing_time_hours=3)
MEDIUM = Tier("medium", assortment=0.30, depth=1.0, daily_capacity=50, processing_time_hours=4)
SMALL = Tier("small", assortment=0.20, depth=0.7, daily_capacity=25, processing_time_hours=6)


@dataclass(frozen=True)
class Store:
    code: str
    name: str
    address: str
    postal_code: str
    city: str
    region: str
    latitude: float
    longitude: float
    tier: Tier
    ship_from_store: bool = True
    open_on_sunday: bool = False


IDF = "Île-de-France"
ARA = "Auvergne-Rhône-Alpes"
PACA = "Provence-Alpes-Côte d'Azur"
OCC = "Occitanie"
PDL = "Pays de la Loire"
GE = "Grand Est"
NA = "Nouvelle-Aquitaine"
HDF = "Hauts-de-France"
BRE = "Bretagne"
NOR = "Normandie"
BFC = "Bourgogne-Franche-Comté"
CVL = "Centre-Val de Loire"

# fmt: off
STORES: list[Store] = [
    Store("ST-PARIS-01", "Paris Rivoli", "148 rue de Rivoli", "75001", "Paris", IDF, 48.8612, 2.3410, LARGE, open_on_sunday=True),
    Store("ST-PARIS-02", "Paris Haussmann", "64 boulevard Haussmann", "75009", "Paris", IDF, 48.8740, 2.3290, FLAGSHIP, open_on_sunday=True),
    Store("ST-PARIS-03", "Paris Marais", "27 rue des Francs-Bourgeois", "75004", "Paris", IDF, 48.8575, 2.3620, MEDIUM, open_on_sunday=True),
    Store("ST-PARIS-04", "Paris Saint-Germain", "137 boulevard Saint-Germain", "75006", "Paris", IDF, 48.8533, 2.3345, MEDIUM),
    Store("ST-LYON-01", "Lyon Part-Dieu", "17 rue du Docteur Bouchut", "69003", "Lyon", ARA, 45.7610, 4.8560, LARGE),
    Store("ST-LYON-02", "Lyon République", "62 rue de la République", "69002", "Lyon", ARA, 45.7625, 4.8360, FLAGSHIP),
    Store("ST-VILLEURBANNE-01", "Villeurbanne Gratte-Ciel", "12 avenue Henri Barbusse", "69100", "Villeurbanne", ARA, 45.7690, 4.8800, SMALL),
    Store("ST-MARSEILLE-01", "Marseille Saint-Ferréol", "52 rue Saint-Ferréol", "13001", "Marseille", PACA, 43.2928, 5.3790, FLAGSHIP),
    Store("ST-TOULOUSE-01", "Toulouse Alsace-Lorraine", "43 rue d'Alsace-Lorraine", "31000", "Toulouse", OCC, 43.6030, 1.4460, LARGE),
    Store("ST-NICE-01", "Nice Jean-Médecin", "30 avenue Jean Médecin", "06000", "Nice", PACA, 43.7020, 7.2670, LARGE, open_on_sunday=True),
    Store("ST-NANTES-01", "Nantes Crébillon", "14 rue Crébillon", "44000", "Nantes", PDL, 47.2130, -1.5620, LARGE),
    Store("ST-STRASBOURG-01", "Strasbourg Grandes Arcades", "34 rue des Grandes Arcades", "67000", "Strasbourg", GE, 48.5838, 7.7465, LARGE),
    Store("ST-MONTPELLIER-01", "Montpellier Comédie", "7 rue de la Loge", "34000", "Montpellier", OCC, 43.6102, 3.8772, LARGE),
    Store("ST-BORDEAUX-01", "Bordeaux Sainte-Catherine", "118 rue Sainte-Catherine", "33000", "Bordeaux", NA, 44.8380, -0.5740, FLAGSHIP),
    Store("ST-LILLE-01", "Lille Rue Neuve", "28 rue Neuve", "59000", "Lille", HDF, 50.6365, 3.0640, FLAGSHIP),
    Store("ST-RENNES-01", "Rennes Le Bastard", "6 rue Le Bastard", "35000", "Rennes", BRE, 48.1122, -1.6800, LARGE),
    Store("ST-REIMS-01", "Reims Drouet-d'Erlon", "18 place Drouet-d'Erlon", "51100", "Reims", GE, 49.2542, 4.0280, MEDIUM),
    Store("ST-LE-HAVRE-01", "Le Havre Rue de Paris", "72 rue de Paris", "76600", "Le Havre", NOR, 49.4900, 0.1080, SMALL, ship_from_store=False),
    Store("ST-SAINT-ETIENNE-01", "Saint-Étienne Général-Foy", "10 rue du Général Foy", "42000", "Saint-Étienne", ARA, 45.4375, 4.3880, MEDIUM),
    Store("ST-TOULON-01", "Toulon Rue d'Alger", "9 rue d'Alger", "83000", "Toulon", PACA, 43.1230, 5.9300, MEDIUM),
    Store("ST-GRENOBLE-01", "Grenoble Félix-Poulat", "4 rue Félix Poulat", "38000", "Grenoble", ARA, 45.1893, 5.7265, MEDIUM),
    Store("ST-DIJON-01", "Dijon Liberté", "58 rue de la Liberté", "21000", "Dijon", BFC, 47.3220, 5.0380, MEDIUM),
    Store("ST-ANGERS-01", "Angers Lenepveu", "21 rue Lenepveu", "49100", "Angers", PDL, 47.4725, -0.5515, MEDIUM),
    Store("ST-NIMES-01", "Nîmes Rue de l'Aspic", "12 rue de l'Aspic", "30000", "Nîmes", OCC, 43.8365, 4.3590, SMALL),
    Store("ST-CLERMONT-FERRAND-01", "Clermont-Ferrand Jaude", "28 rue du 11 Novembre", "63000", "Clermont-Ferrand", ARA, 45.7770, 3.0840, MEDIUM),
    Store("ST-LE-MANS-01", "Le Mans Minimes", "24 rue des Minimes", "72000", "Le Mans", PDL, 48.0075, 0.1985, SMALL),
    Store("ST-AIX-EN-PROVENCE-01", "Aix-en-Provence Mirabeau", "38 cours Mirabeau", "13100", "Aix-en-Provence", PACA, 43.5265, 5.4480, MEDIUM),
    Store("ST-BREST-01", "Brest Rue de Siam", "58 rue de Siam", "29200", "Brest", BRE, 48.3885, -4.4885, SMALL, ship_from_store=False),
    Store("ST-TOURS-01", "Tours Rue Nationale", "52 rue Nationale", "37000", "Tours", CVL, 47.3930, 0.6880, MEDIUM),
    Store("ST-AMIENS-01", "Amiens Trois-Cailloux", "24 rue des Trois Cailloux", "80000", "Amiens", HDF, 49.8925, 2.2985, SMALL, ship_from_store=False),
    Store("ST-LIMOGES-01", "Limoges Clocher", "11 rue du Clocher", "87000", "Limoges", NA, 45.8305, 1.2595, SMALL),
    Store("ST-ANNECY-01", "Annecy Rue Royale", "14 rue Royale", "74000", "Annecy", ARA, 45.9005, 6.1255, SMALL, open_on_sunday=True),
    Store("ST-PERPIGNAN-01", "Perpignan Mailly", "6 rue Mailly", "66000", "Perpignan", OCC, 42.6995, 2.8950, SMALL, ship_from_store=False),
    Store("ST-METZ-01", "Metz Serpenoise", "20 rue Serpenoise", "57000", "Metz", GE, 49.1175, 6.1735, MEDIUM),
    Store("ST-BESANCON-01", "Besançon Grande-Rue", "78 Grande Rue", "25000", "Besançon", BFC, 47.2375, 6.0235, SMALL),
    Store("ST-ORLEANS-01", "Orléans République", "44 rue de la République", "45000", "Orléans", CVL, 47.9045, 1.9050, MEDIUM),
    Store("ST-ROUEN-01", "Rouen Gros-Horloge", "68 rue du Gros-Horloge", "76000", "Rouen", NOR, 49.4415, 1.0905, MEDIUM),
    Store("ST-MULHOUSE-01", "Mulhouse Rue du Sauvage", "22 rue du Sauvage", "68100", "Mulhouse", GE, 47.7475, 7.3385, SMALL, ship_from_store=False),
    Store("ST-CAEN-01", "Caen Saint-Pierre", "48 rue Saint-Pierre", "14000", "Caen", NOR, 49.1840, -0.3640, MEDIUM),
    Store("ST-NANCY-01", "Nancy Saint-Jean", "32 rue Saint-Jean", "54000", "Nancy", GE, 48.6905, 6.1805, MEDIUM),
    Store("ST-AVIGNON-01", "Avignon République", "26 rue de la République", "84000", "Avignon", PACA, 43.9465, 4.8060, SMALL),
    Store("ST-POITIERS-01", "Poitiers Cordeliers", "14 rue des Cordeliers", "86000", "Poitiers", NA, 46.5815, 0.3395, SMALL),
    Store("ST-LA-ROCHELLE-01", "La Rochelle Rue du Palais", "32 rue du Palais", "17000", "La Rochelle", NA, 46.1595, -1.1525, SMALL),
    Store("ST-PAU-01", "Pau Rue Serviez", "8 rue Serviez", "64000", "Pau", NA, 43.2955, -0.3705, SMALL, ship_from_store=False),
]
# fmt: on

WAREHOUSE_CODE = "WH-ORLEANS"
SUPPLIER_CODE = "SUP-TEXTILE"

WAREHOUSE = {
    "code": WAREHOUSE_CODE,
    "name": "Entrepôt central Orléans-Saran",
    "kind": "warehouse",
    "region": CVL,
    "address_line1": "Parc d'activités des Portes du Loiret",
    "address_line2": "455 rue de la Tuilerie",
    "postal_code": "45770",
    "city": "Saran",
    "latitude": 47.9496,
    "longitude": 1.8751,
    "services": ["ship_to_store", "returns"],
    "opening_hours": {
        **{day: [["06:00", "22:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        "sat": [["08:00", "14:00"]],
    },
    "daily_capacity": 6000,
    "processing_time_hours": 12,
    "priority": 10,
}

SUPPLIER = {
    "code": SUPPLIER_CODE,
    "name": "Tissages du Nord (drop-ship)",
    "kind": "supplier",
    "region": HDF,
    "address_line1": "12 rue de l'Épeule",
    "postal_code": "59100",
    "city": "Roubaix",
    "latitude": 50.6886,
    "longitude": 3.1651,
    "services": [],
    "opening_hours": {day: [["08:00", "17:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    "daily_capacity": 800,
    "processing_time_hours": 48,
    "priority": 50,
}
# What the drop-ship supplier ships directly to customers.
SUPPLIER_CATEGORIES = ("home_linen",)


DAYS_MON_SAT = ("mon", "tue", "wed", "thu", "fri", "sat")


def store_opening_hours(store: Store) -> dict[str, list[list[str]]]:
    """Shopping-street hours: small stores close at lunch and on Monday morning."""
    if store.tier is SMALL:
        hours = {day: [["10:00", "12:30"], ["14:00", "19:00"]] for day in DAYS_MON_SAT[1:]}
        hours["mon"] = [["14:00", "19:00"]]
    elif store.tier is FLAGSHIP:
        hours = {day: [["10:00", "20:00"]] for day in DAYS_MON_SAT}
    else:
        hours = {day: [["10:00", "19:30"]] for day in DAYS_MON_SAT}
    if store.open_on_sunday:
        hours["sun"] = [["11:00", "19:00"]]
    return hours


def store_services(store: Store) -> list[str]:
    if store.ship_from_store:
        return list(ALL_STORE_SERVICES)
    return [service for service in ALL_STORE_SERVICES if service != "ship_from_store"]


# --- Catalogue --------------------------------------------------------------------

COLOURS = {
    "BLC": "blanc",
    "ECR": "écru",
    "BEI": "beige",
    "BCI": "bleu ciel",
    "MAR": "bleu marine",
    "IND": "indigo",
    "BRU": "denim brut",
    "DEL": "bleu délavé",
    "NOI": "noir",
    "GRI": "gris chiné",
    "ANT": "anthracite",
    "SAU": "vert sauge",
    "OLI": "vert olive",
    "KAK": "kaki",
    "TER": "terracotta",
    "ROS": "rose poudré",
    "BOR": "bordeaux",
    "CAM": "camel",
    "CHO": "chocolat",
    "MOU": "jaune moutarde",
    "RAY": "rayé marine",
    "FLE": "imprimé fleuri",
    "POI": "à pois",
    "LAI": "laiton brossé",
    "NMA": "noir mat",
    "OPA": "verre opalin",
    "FUM": "verre fumé",
    "CER": "céramique blanche",
    "ROT": "rotin naturel",
    "CHE": "chêne clair",
    "LIN": "abat-jour lin naturel",
}

# Sizes: (label in the name, code in the SKU). The middle sizes sell most.
TOPS_M = ["S", "M", "L", "XL", "XXL", "3XL"]
TOPS_W = ["XS", "S", "M", "L", "XL"]
COLLAR = ["37", "38", "39", "40", "41", "42", "43", "44", "45"]
TROUSERS_M = ["38", "40", "42", "44", "46", "48", "50"]
TROUSERS_W = ["34", "36", "38", "40", "42", "44", "46"]
SHOES_M = ["39", "40", "41", "42", "43", "44", "45", "46"]
SHOES_W = ["35", "36", "37", "38", "39", "40", "41", "42"]
JEANS_M = [f"W{waist} L{length}" for waist in (28, 30, 32, 34, 36, 38) for length in (30, 32, 34)]
JEANS_W = [f"W{waist} L{length}" for waist in (24, 26, 28, 30, 32, 34) for length in (30, 32, 34)]
KIDS = ["2 ans", "4 ans", "6 ans", "8 ans", "10 ans", "12 ans", "14 ans"]
SHOES_KIDS = ["24", "26", "28", "30", "32", "34"]
ONE_SIZE = [""]


@dataclass(frozen=True)
class Model:
    """A product in several colours and sizes; each combination is a SKU."""

    code: str
    name: str
    category: str
    price: str
    weight_grams: int
    colours: list[str]
    sizes: list[str] = field(default_factory=lambda: list(ONE_SIZE))


# fmt: off
MODELS: list[Model] = [
    # Shirts
    Model("CHLINH", "Chemise en lin homme", "shirts", "59.90", 230, ["BLC", "BCI", "ECR", "SAU", "TER", "MAR", "ROS", "KAK"], COLLAR),
    Model("CHLINF", "Chemise en lin femme", "shirts", "59.90", 200, ["BLC", "BCI", "ECR", "SAU", "TER", "NOI", "ROS"], TOPS_W),
    Model("CHOXF", "Chemise Oxford", "shirts", "49.90", 260, ["BLC", "BCI", "ROS", "MAR", "GRI", "RAY"], COLLAR),
    Model("CHPOP", "Chemise en popeline", "shirts", "45.00", 210, ["BLC", "BCI", "NOI", "MAR", "ROS"], COLLAR),
    Model("CHFLA", "Chemise à carreaux en flanelle", "shirts", "55.00", 340, ["BOR", "MAR", "KAK", "GRI", "MOU"], TOPS_M),
    Model("CHDEN", "Chemise en denim", "shirts", "65.00", 380, ["IND", "DEL", "BRU"], TOPS_M),
    Model("BLSOI", "Blouse en soie", "shirts", "89.00", 150, ["ECR", "NOI", "ROS", "SAU", "BOR", "FLE"], TOPS_W),
    Model("BLBRO", "Blouse brodée en coton", "shirts", "69.00", 180, ["BLC", "ECR", "BCI", "TER"], TOPS_W),
    # T-shirts and sweatshirts
    Model("TSBIOH", "T-shirt en coton bio homme", "t-shirts", "19.90", 170, ["BLC", "NOI", "MAR", "GRI", "SAU", "TER", "MOU", "ECR", "BOR", "KAK"], TOPS_M),
    Model("TSBIOF", "T-shirt en coton bio femme", "t-shirts", "19.90", 140, ["BLC", "NOI", "MAR", "GRI", "SAU", "TER", "ROS", "ECR", "BCI", "MOU"], TOPS_W),
    Model("MARIN", "Marinière en coton", "t-shirts", "35.00", 240, ["RAY", "ECR", "BLC"], TOPS_W + ["XXL"]),
    Model("POLPI", "Polo en piqué de coton", "t-shirts", "39.90", 230, ["BLC", "MAR", "NOI", "SAU", "BOR", "BCI", "MOU"], TOPS_M),
    Model("DEBCO", "Débardeur côtelé", "t-shirts", "17.90", 110, ["BLC", "NOI", "ECR", "TER", "ROS"], TOPS_W),
    Model("SWMOL", "Sweat molletonné", "t-shirts", "49.90", 480, ["GRI", "MAR", "ECR", "SAU", "CHO", "NOI"], TOPS_M),
    Model("HOODI", "Sweat à capuche", "t-shirts", "59.90", 560, ["GRI", "NOI", "KAK", "MAR", "BOR"], TOPS_M),
    # Knitwear
    Model("PUMERH", "Pull en laine mérinos homme", "knitwear", "79.00", 320, ["MAR", "GRI", "CAM", "BOR", "NOI", "OLI", "ECR", "ANT"], TOPS_M),
    Model("PUMERF", "Pull en laine mérinos femme", "knitwear", "79.00", 280, ["MAR", "GRI", "CAM", "BOR", "NOI", "ROS", "ECR", "SAU"], TOPS_W),
    Model("CACAC", "Cardigan en cachemire", "knitwear", "149.00", 280, ["CAM", "GRI", "ECR", "NOI", "ROS", "MAR"], TOPS_W),
    Model("PUCOL", "Pull col roulé", "knitwear", "69.00", 360, ["NOI", "ECR", "CAM", "BOR", "MAR", "GRI"], TOPS_M),
    Model("GITOR", "Gilet en coton torsadé", "knitwear", "65.00", 400, ["ECR", "MAR", "SAU", "MOU"], TOPS_W),
    # Trousers, jeans, skirts
    Model("PACHI", "Pantalon chino", "trousers", "59.90", 450, ["BEI", "MAR", "KAK", "NOI", "BOR", "OLI"], TROUSERS_M),
    Model("JEDRO", "Jean droit", "trousers", "79.00", 650, ["BRU", "IND", "DEL", "NOI"], JEANS_M),
    Model("JESLI", "Jean slim", "trousers", "79.00", 600, ["BRU", "NOI", "DEL", "GRI"], JEANS_W),
    Model("JEMOM", "Jean mom taille haute", "trousers", "85.00", 620, ["BRU", "DEL", "ECR"], JEANS_W),
    Model("PALIN", "Pantalon en lin", "trousers", "69.00", 380, ["ECR", "SAU", "TER", "MAR", "NOI"], TROUSERS_W),
    Model("PAVEL", "Pantalon en velours côtelé", "trousers", "75.00", 620, ["CAM", "CHO", "OLI", "BOR"], TROUSERS_M),
    Model("BERMU", "Bermuda en coton", "trousers", "45.00", 300, ["BEI", "MAR", "KAK", "BLC"], TROUSERS_M),
    Model("JUPLI", "Jupe plissée", "trousers", "59.00", 280, ["NOI", "MAR", "ROS", "OLI", "CAM"], TROUSERS_W),
    # Dresses
    Model("ROLIN", "Robe en lin", "dresses", "89.00", 350, ["ECR", "SAU", "TER", "BCI", "NOI", "ROS"], TROUSERS_W),
    Model("ROCHE", "Robe chemise", "dresses", "79.00", 300, ["BCI", "BLC", "KAK", "MAR", "RAY"], TROUSERS_W),
    Model("ROPOR", "Robe portefeuille", "dresses", "99.00", 280, ["FLE", "POI", "NOI", "BOR", "SAU"], TROUSERS_W),
    Model("ROMAI", "Robe longue en maille", "dresses", "109.00", 420, ["NOI", "CAM", "GRI", "BOR"], TROUSERS_W),
    Model("COMBI", "Combinaison en lin", "dresses", "95.00", 380, ["ECR", "NOI", "TER", "KAK"], TROUSERS_W),
    # Jackets and coats
    Model("VEJEA", "Veste en jean", "jackets", "89.00", 750, ["IND", "DEL", "NOI", "ECR"], TOPS_M),
    Model("TRENC", "Trench en coton", "jackets", "179.00", 900, ["BEI", "MAR", "NOI", "KAK"], TOPS_W),
    Model("MANLA", "Manteau en laine", "jackets", "249.00", 1400, ["CAM", "GRI", "MAR", "NOI", "ANT"], TOPS_M),
    Model("BLAZE", "Blazer en lin", "jackets", "149.00", 520, ["ECR", "MAR", "SAU", "BEI"], TOPS_M),
    Model("DOUDO", "Doudoune légère", "jackets", "119.00", 380, ["NOI", "MAR", "KAK", "BOR", "CAM"], TOPS_W),
    Model("PARKA", "Parka imperméable", "jackets", "159.00", 850, ["KAK", "MAR", "NOI"], TOPS_M),
    # Shoes
    Model("BATOI", "Baskets en toile", "shoes", "59.00", 650, ["BLC", "NOI", "MAR", "ECR", "KAK"], SHOES_M),
    Model("BACUI", "Baskets en cuir", "shoes", "99.00", 800, ["BLC", "NOI", "CAM"], SHOES_W),
    Model("DERBY", "Derbies en cuir", "shoes", "139.00", 900, ["NOI", "CHO", "CAM"], SHOES_M),
    Model("MOCAS", "Mocassins en daim", "shoes", "119.00", 700, ["CAM", "MAR", "CHO", "OLI"], SHOES_M),
    Model("BOTCH", "Bottines Chelsea", "shoes", "159.00", 1000, ["NOI", "CHO", "CAM"], SHOES_W),
    Model("ESPAD", "Espadrilles", "shoes", "35.00", 400, ["ECR", "MAR", "TER", "NOI", "RAY", "ROS"], SHOES_W),
    Model("SANDA", "Sandales en cuir", "shoes", "75.00", 450, ["CAM", "NOI", "ECR"], SHOES_W),
    Model("BOTTE", "Bottes en cuir", "shoes", "219.00", 1400, ["NOI", "CHO"], SHOES_W),
    Model("BALLE", "Ballerines en cuir", "shoes", "89.00", 380, ["NOI", "ROS", "CAM", "BOR"], SHOES_W),
    # Accessories
    Model("ECHLA", "Écharpe en laine", "accessories", "49.00", 180, ["GRI", "CAM", "BOR", "MAR", "MOU", "ECR", "SAU", "NOI"]),
    Model("CEICU", "Ceinture en cuir", "accessories", "45.00", 160, ["NOI", "CHO", "CAM"], ["85", "90", "95", "100", "105"]),
    Model("SACAB", "Sac cabas en cuir", "accessories", "189.00", 900, ["NOI", "CAM", "CHO", "BOR"]),
    Model("TOTEB", "Tote bag en coton", "accessories", "15.00", 120, ["ECR", "NOI", "MAR", "TER"]),
    Model("BONNE", "Bonnet côtelé", "accessories", "29.00", 90, ["GRI", "MAR", "MOU", "BOR", "ECR", "NOI"]),
    Model("CASQU", "Casquette en coton", "accessories", "25.00", 80, ["MAR", "BEI", "NOI", "KAK"]),
    Model("FOUSO", "Foulard en soie", "accessories", "69.00", 60, ["FLE", "POI", "BCI", "TER"]),
    Model("CHAUS", "Chaussettes en coton (lot de 3)", "accessories", "19.00", 120, ["NOI", "MAR", "GRI", "RAY", "MOU"], ["35-38", "39-42", "43-46"]),
    Model("GANTS", "Gants en cuir", "accessories", "59.00", 110, ["NOI", "CHO", "CAM"], ["S", "M", "L"]),
    Model("PORTE", "Portefeuille en cuir", "accessories", "59.00", 110, ["NOI", "CHO", "CAM", "MAR"]),
    # Home linen
    Model("HCLIN", "Housse de couette en lin lavé", "home_linen", "149.00", 1600, ["BLC", "ECR", "SAU", "TER", "GRI", "ROS", "BCI", "ANT"], ["140 × 200", "200 × 200", "240 × 220", "260 × 240"]),
    Model("DRAHO", "Drap housse en percale", "home_linen", "49.00", 700, ["BLC", "ECR", "GRI", "SAU", "BCI"], ["90 × 190", "140 × 190", "160 × 200", "180 × 200"]),
    Model("TAIOR", "Taie d'oreiller en lin", "home_linen", "25.00", 250, ["BLC", "ECR", "SAU", "TER", "GRI", "ROS", "BCI", "ANT"], ["50 × 70", "65 × 65"]),
    Model("SERVI", "Serviette de bain en éponge", "home_linen", "19.00", 450, ["BLC", "GRI", "SAU", "TER", "BCI", "ANT", "MOU"], ["30 × 50", "50 × 100", "70 × 140", "100 × 150"]),
    Model("NAPLI", "Nappe en lin", "home_linen", "79.00", 900, ["BLC", "ECR", "SAU", "TER", "GRI"], ["150 × 150", "150 × 250", "150 × 300"]),
    Model("PLAID", "Plaid en laine", "home_linen", "89.00", 1100, ["CAM", "GRI", "ECR", "MOU", "BOR", "SAU"], ["130 × 170"]),
    Model("COUSS", "Housse de coussin en lin", "home_linen", "29.00", 200, ["ECR", "SAU", "TER", "MOU", "ROS", "ANT"], ["40 × 40", "50 × 50", "30 × 50"]),
    Model("RIDEA", "Rideau en gaze de coton", "home_linen", "59.00", 800, ["BLC", "ECR", "GRI"], ["140 × 260", "140 × 280"]),
    Model("TORCH", "Torchons en lin (lot de 2)", "home_linen", "22.00", 200, ["BLC", "RAY", "ECR", "TER"]),
    # Lamps
    Model("LCHEV", "Lampe de chevet en laiton", "lamps", "89.00", 1200, ["LAI", "NMA", "OPA"]),
    Model("LACER", "Lampe à poser en céramique", "lamps", "119.00", 2500, ["CER", "TER", "SAU", "NMA"]),
    Model("SUROT", "Suspension en rotin", "lamps", "139.00", 1500, ["ROT", "NMA"], ["Ø 40 cm", "Ø 60 cm"]),
    Model("LAMPA", "Lampadaire arc", "lamps", "249.00", 9000, ["LAI", "NMA"]),
    Model("APPLI", "Applique murale orientable", "lamps", "79.00", 900, ["LAI", "NMA", "BLC"]),
    Model("LBURE", "Lampe de bureau articulée", "lamps", "99.00", 1800, ["NMA", "BLC", "OLI", "TER"]),
    Model("SUVER", "Suspension en verre", "lamps", "159.00", 2000, ["FUM", "OPA"], ["Ø 25 cm", "Ø 35 cm"]),
    Model("BALAD", "Baladeuse sans fil rechargeable", "lamps", "59.00", 600, ["NMA", "BLC", "TER", "SAU", "OLI"]),
    Model("GUIRL", "Guirlande lumineuse", "lamps", "29.00", 300, ["BLC"], ["5 m", "10 m"]),
    Model("LACHE", "Lampe à poser pied en chêne", "lamps", "129.00", 2200, ["LIN", "ECR", "SAU"]),
    # Second wave of the catalogue (appended: EANs follow the order of this list)
    Model("CHVEL", "Chemise en velours côtelé", "shirts", "69.00", 380, ["CAM", "OLI", "BOR", "MAR"], TOPS_M),
    Model("SURCH", "Surchemise en laine", "shirts", "95.00", 620, ["GRI", "CAM", "KAK", "BOR"], TOPS_M),
    Model("CHMCL", "Chemise manches courtes en lin", "shirts", "49.90", 190, ["BLC", "BCI", "ECR", "SAU", "TER", "MAR"], TOPS_M),
    Model("CHVIS", "Chemisier en viscose", "shirts", "55.00", 160, ["NOI", "FLE", "POI", "ECR", "BOR", "SAU"], TOPS_W),
    Model("TSMLO", "T-shirt manches longues", "t-shirts", "25.00", 210, ["BLC", "NOI", "MAR", "GRI", "ECR", "RAY", "BOR"], TOPS_M),
    Model("TSCOV", "T-shirt col V", "t-shirts", "22.00", 160, ["BLC", "NOI", "MAR", "GRI", "SAU", "TER"], TOPS_M),
    Model("TOLIN", "Top en lin", "t-shirts", "39.00", 120, ["BLC", "ECR", "NOI", "TER", "SAU", "ROS"], TOPS_W),
    Model("SWZIP", "Sweat zippé", "t-shirts", "65.00", 580, ["GRI", "MAR", "NOI", "KAK"], TOPS_M),
    Model("PUCOV", "Pull col V en coton", "knitwear", "55.00", 300, ["MAR", "GRI", "ECR", "BOR", "SAU", "NOI"], TOPS_M),
    Model("PUMAR", "Pull marin en laine", "knitwear", "89.00", 650, ["MAR", "ECR", "RAY"], TOPS_W),
    Model("PUMOH", "Pull en mohair", "knitwear", "99.00", 260, ["ROS", "ECR", "MOU", "SAU", "GRI"], TOPS_W),
    Model("GISAN", "Gilet sans manches", "knitwear", "59.00", 240, ["GRI", "MAR", "CAM", "ECR"], TOPS_M),
    Model("PACOS", "Pantalon de costume", "trousers", "99.00", 520, ["MAR", "ANT", "NOI"], TROUSERS_M),
    Model("PALAR", "Pantalon large en crêpe", "trousers", "79.00", 420, ["NOI", "ECR", "CAM", "BOR"], TROUSERS_W),
    Model("SHLIN", "Short en lin", "trousers", "45.00", 220, ["ECR", "SAU", "TER", "MAR", "NOI"], TROUSERS_W),
    Model("JUMID", "Jupe midi en satin", "trousers", "69.00", 260, ["NOI", "CAM", "SAU", "BOR"], TROUSERS_W),
    Model("JOGGI", "Jogging molletonné", "trousers", "49.00", 520, ["GRI", "NOI", "MAR", "KAK"], TOPS_M),
    Model("ROPUL", "Robe pull", "dresses", "89.00", 520, ["GRI", "CAM", "NOI", "BOR"], TROUSERS_W),
    Model("ROPOP", "Robe en popeline", "dresses", "85.00", 300, ["BLC", "BCI", "NOI", "RAY", "TER"], TROUSERS_W),
    Model("ROSAT", "Robe de soirée en satin", "dresses", "149.00", 320, ["NOI", "BOR", "SAU"], TROUSERS_W),
    Model("ROJEA", "Robe en jean", "dresses", "95.00", 560, ["DEL", "BRU"], TROUSERS_W),
    Model("VECOS", "Veste de costume en laine", "jackets", "229.00", 980, ["MAR", "ANT", "NOI"], TOPS_M),
    Model("CABAN", "Caban en laine", "jackets", "199.00", 1500, ["MAR", "NOI", "CAM"], TOPS_M),
    Model("VEMAT", "Veste matelassée", "jackets", "129.00", 700, ["KAK", "MAR", "NOI", "CAM"], TOPS_W),
    Model("BLCUI", "Blouson en cuir", "jackets", "349.00", 1600, ["NOI", "CHO"], TOPS_M),
    Model("IMPER", "Imperméable léger", "jackets", "119.00", 450, ["MOU", "MAR", "KAK"], TOPS_W),
    Model("MULES", "Mules en cuir", "shoes", "95.00", 500, ["NOI", "CAM", "ECR"], SHOES_W),
    Model("TENNI", "Tennis en cuir", "shoes", "109.00", 780, ["BLC", "NOI", "MAR", "SAU"], SHOES_M),
    Model("RANDO", "Chaussures de randonnée", "shoes", "139.00", 1100, ["CHO", "KAK"], SHOES_M),
    Model("ESCAR", "Escarpins en cuir", "shoes", "129.00", 520, ["NOI", "BOR", "CAM"], SHOES_W),
    Model("CHSON", "Chaussons en laine bouillie", "shoes", "45.00", 300, ["GRI", "BOR", "MAR", "MOU"], SHOES_M),
    Model("RUNNI", "Baskets de running", "shoes", "119.00", 620, ["NOI", "BLC", "MAR"], SHOES_W),
    Model("BOXER", "Boxers en coton bio (lot de 3)", "nightwear", "35.00", 180, ["NOI", "MAR", "GRI", "RAY"], TOPS_M),
    Model("PYFLA", "Pyjama en flanelle", "nightwear", "69.00", 520, ["BOR", "MAR", "GRI", "SAU"], TOPS_W),
    Model("PYCOT", "Pyjama en coton rayé", "nightwear", "59.00", 420, ["RAY", "BCI", "GRI"], TOPS_M),
    Model("PEIGN", "Peignoir en éponge", "nightwear", "79.00", 1200, ["BLC", "GRI", "SAU"], ["S/M", "L/XL"]),
    Model("MAIL1", "Maillot de bain une pièce", "swimwear", "59.00", 150, ["NOI", "TER", "MAR", "RAY"], TOPS_W),
    Model("SHBAI", "Short de bain", "swimwear", "45.00", 180, ["MAR", "TER", "BCI", "SAU", "MOU"], TOPS_M),
    Model("TSENF", "T-shirt enfant en coton bio", "kids", "12.90", 90, ["BLC", "MAR", "MOU", "ROS", "SAU", "TER", "RAY", "GRI"], KIDS),
    Model("SWENF", "Sweat enfant", "kids", "29.00", 260, ["GRI", "MAR", "MOU", "ROS", "SAU"], KIDS),
    Model("PAENF", "Pantalon enfant en velours", "kids", "32.00", 280, ["CAM", "MAR", "OLI", "BOR"], KIDS),
    Model("ROENF", "Robe enfant en coton", "kids", "35.00", 180, ["FLE", "POI", "ROS", "BCI"], KIDS),
    Model("PYENF", "Pyjama enfant", "kids", "29.00", 240, ["RAY", "ROS", "BCI", "SAU", "MOU"], KIDS),
    Model("MAENF", "Marinière enfant", "kids", "25.00", 160, ["RAY", "ECR", "ROS"], KIDS),
    Model("DOENF", "Doudoune enfant", "kids", "59.00", 420, ["MAR", "MOU", "ROS", "KAK"], KIDS),
    Model("BAENF", "Baskets enfant", "kids", "39.00", 420, ["BLC", "MAR", "ROS", "MOU"], SHOES_KIDS),
    Model("LCHAM", "Lampe champignon en verre", "lamps", "79.00", 1400, ["OPA", "FUM", "TER", "SAU"]),
    Model("LAMPR", "Lampadaire en rotin", "lamps", "189.00", 4500, ["ROT"], ["120 cm", "150 cm"]),
]
# fmt: on

# EAN-13: GS1 France prefix 376, a 4-digit company number, a 5-digit item number
# (the variant's rank in the whole catalogue above, so stable whatever the number
# of SKUs seeded, as long as models are only ever appended), a check digit.
EAN_COMPANY_PREFIX = "3760451"


# --- People -----------------------------------------------------------------------


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    role: str
    first_name: str
    last_name: str
    stores: tuple[str, ...] = ()
    is_superuser: bool = False


# The documented demo logins (printed at the end of `manage.py seed_demo`).
DEMO_USERS: list[DemoUser] = [
    DemoUser("admin", "lumiere-admin", "head_office", "Hélène", "Marchand", is_superuser=True),
    DemoUser("service", "lumiere-service", "customer_service", "Karim", "Benali"),
    DemoUser("lyon", "lumiere-lyon", "store_staff", "Julie", "Garnier", ("ST-LYON-01",)),
    DemoUser("paris", "lumiere-paris", "store_staff", "Thomas", "Lefèvre", ("ST-PARIS-01",)),
    DemoUser(
        "camille",
        "lumiere-camille",
        "store_staff",
        "Camille",
        "Rousseau",
        ("ST-LYON-01", "ST-PARIS-01"),
    ),
]
# The demo integration whose API token is printed.
DEMO_INTEGRATION = "demo-shop"
