"""Word pools for the synthetic members: fictitious people, realistic Spanish/English text.

Faker builds the name, company and city pools once (a few thousand entries); the
database then combines them row by row, so a million members costs no Python loop.
Two words are reserved for the search scenarios of the benchmark and must appear
nowhere else: the expertise tag "python" (about 9% of members) and the surname
"Hamilton" (a handful of members).
"""

from faker import Faker

RARE_SURNAME = "Hamilton"
BROAD_TAG = "python"
RESERVED = (RARE_SURNAME.lower(), BROAD_TAG)

# (ISO code, weight in %, Faker locale for city names)
COUNTRIES = [
    ("US", 58, "en_US"),
    ("CA", 12, "en_CA"),
    ("ES", 5, "es_ES"),
    ("DE", 4, "de_DE"),
    ("GB", 4, "en_GB"),
    ("FR", 3, "fr_FR"),
    ("NL", 2, "nl_NL"),
    ("CH", 2, "de_CH"),
    ("JP", 2, "ja_JP"),
    ("AU", 2, "en_AU"),
    ("CL", 2, "es_CL"),
    ("BR", 1, "pt_BR"),
    ("CO", 1, "es_CO"),
    ("IT", 1, "it_IT"),
    ("SE", 1, "sv_SE"),
]

# Mexican states of origin, weighted roughly like the emigrant population.
STATE_WEIGHTS = {
    "JAL": 10,
    "MIC": 9,
    "GUA": 8,
    "CMX": 8,
    "MEX": 6,
    "NLE": 6,
    "PUE": 5,
    "OAX": 4,
    "ZAC": 4,
    "CHH": 4,
    "BCN": 4,
    "VER": 3,
    "GRO": 3,
    "SLP": 3,
    "SON": 3,
    "TAM": 3,
    "COA": 2,
    "DUR": 2,
    "HID": 2,
    "QUE": 2,
    "SIN": 2,
    "YUC": 1,
    "AGU": 1,
    "MOR": 1,
    "NAY": 1,
    "CHP": 1,
    "COL": 1,
    "TAB": 1,
    "TLA": 1,
    "BCS": 1,
    "CAM": 1,
    "ROO": 1,
}

EDUCATION_WEIGHTS = {
    "bachillerato": 4,
    "tecnico_superior": 4,
    "licenciatura": 30,
    "especialidad": 6,
    "maestria": 32,
    "doctorado": 19,
    "posdoctorado": 5,
}

# Directory visibility (profile.directory_visibility), weighted.
VISIBILITY_WEIGHTS = {"members": 55, "pncs": 25, "ime": 20}

FIELDS_ES = [
    "ingeniería de software",
    "ciencia de datos",
    "biotecnología",
    "salud pública",
    "energías renovables",
    "ciencia de materiales",
    "ingeniería aeroespacial",
    "economía",
    "relaciones internacionales",
    "ingeniería química",
    "física",
    "matemáticas aplicadas",
    "ingeniería mecánica",
    "agronomía",
    "ciencias ambientales",
    "medicina",
    "administración de empresas",
    "ingeniería eléctrica",
    "nanotecnología",
    "logística",
]
FIELDS_EN = [
    "software engineering",
    "data science",
    "biotechnology",
    "public health",
    "renewable energy",
    "materials science",
    "aerospace engineering",
    "economics",
    "international relations",
    "chemical engineering",
    "physics",
    "applied mathematics",
    "mechanical engineering",
    "agronomy",
    "environmental science",
    "medicine",
    "business administration",
    "electrical engineering",
    "nanotechnology",
    "supply chain management",
]
POSITIONS_ES = [
    "Ingeniera de software",
    "Investigador",
    "Directora de operaciones",
    "Consultor",
    "Profesora asociada",
    "Gerente de proyectos",
    "Científica de datos",
    "Analista financiero",
    "Médica investigadora",
    "Fundador",
]
POSITIONS_EN = [
    "Software engineer",
    "Research scientist",
    "Operations director",
    "Consultant",
    "Associate professor",
    "Project manager",
    "Data scientist",
    "Financial analyst",
    "Physician scientist",
    "Founder",
]
HEADLINES_ES = [
    "{position} en {company}",
    "{position} · {field}",
    "Especialista en {field} en {company}",
    "{position} y mentora en {field}",
    "Investigación en {field}",
]
HEADLINES_EN = [
    "{position} at {company}",
    "{position} · {field}",
    "{field} specialist at {company}",
    "{position}, mentor in {field}",
    "Research in {field}",
]
BIO_ES = [
    "Trabajo en {field} desde hace más de diez años, actualmente en {company}.",
    "Estudié en {institution} y vivo en {city}.",
    "Me interesa colaborar con universidades y empresas mexicanas.",
    "He dirigido proyectos de {field} con equipos en tres continentes.",
    "Doy mentoría a estudiantes que quieren hacer un posgrado en el extranjero.",
    "Participo en el capítulo local de la red y en las Jornadas Informativas.",
    "Me gustaría apoyar la transferencia de conocimiento hacia México.",
    "Mi trabajo combina investigación aplicada y desarrollo de productos.",
]
BIO_EN = [
    "I have worked in {field} for over ten years, currently at {company}.",
    "I studied at {institution} and live in {city}.",
    "I am keen to collaborate with Mexican universities and companies.",
    "I have led {field} projects with teams on three continents.",
    "I mentor students who want to pursue graduate studies abroad.",
    "I take part in my local chapter of the network and its information days.",
    "I would like to support knowledge transfer to Mexico.",
    "My work combines applied research and product development.",
]
INSTITUTIONS = [
    "UNAM",
    "Instituto Politécnico Nacional",
    "Tecnológico de Monterrey",
    "Universidad de Guadalajara",
    "CINVESTAV",
    "Universidad Autónoma de Nuevo León",
    "ITAM",
    "Universidad Iberoamericana",
    "BUAP",
    "El Colegio de México",
    "MIT",
    "Stanford University",
    "University of Toronto",
    "UC Berkeley",
    "Universidad Complutense de Madrid",
    "ETH Zürich",
    "Technische Universität München",
    "Imperial College London",
    "University of Texas at Austin",
    "McGill University",
]
EXPERTISE = [
    "machine learning",
    "deep learning",
    "ciencia de datos",
    "data engineering",
    "ciberseguridad",
    "cybersecurity",
    "biotecnología",
    "genómica",
    "genomics",
    "bioinformática",
    "salud pública",
    "epidemiología",
    "energía solar",
    "solar energy",
    "hidrógeno verde",
    "baterías",
    "battery chemistry",
    "manufactura avanzada",
    "advanced manufacturing",
    "aeronáutica",
    "aerospace",
    "logística",
    "supply chain",
    "nanomateriales",
    "nanomaterials",
    "agricultura de precisión",
    "acuacultura",
    "cambio climático",
    "climate policy",
    "economía circular",
    "finanzas",
    "fintech",
    "emprendimiento",
    "capital de riesgo",
    "venture capital",
    "semiconductores",
    "semiconductors",
    "robótica",
    "robotics",
    "computación en la nube",
    "cloud computing",
    "política pública",
    "public policy",
    "cooperación internacional",
    "vehículos eléctricos",
    "electric vehicles",
    "inteligencia artificial",
    "computer vision",
    "procesamiento de lenguaje natural",
    "natural language processing",
    "estadística",
    "statistics",
    "investigación de operaciones",
    "operations research",
    "diseño de producto",
    "product management",
    "desarrollo web",
    "web development",
    "java",
    "rust",
    "javascript",
    "kubernetes",
    "devops",
    "bases de datos",
    "databases",
    "neurociencia",
    "neuroscience",
    "oncología",
    "oncology",
    "farmacología",
    "dispositivos médicos",
    "medical devices",
    "calidad del agua",
    "water resources",
    "agronegocios",
    "pesquerías",
    "ciencia de materiales",
    "materials science",
    "petróleo y gas",
    "oil and gas",
    "energía eólica",
    "wind energy",
    "redes eléctricas",
    "power systems",
    "transporte público",
    "urban mobility",
    "industria automotriz",
    "automotive engineering",
    "mecatrónica",
    "mechatronics",
    "educación",
    "education policy",
    "derecho internacional",
    "comercio exterior",
    "international trade",
    "mercadotecnia",
    "marketing",
    "recursos humanos",
    "ética de la ia",
]


def _without_reserved(words):
    return sorted({w for w in words if not any(r in w.lower() for r in RESERVED)})


def build(seed: int = 2026) -> dict[str, list]:
    """The pools, deterministic for a seed. Keys are the columns of the vocabulary row."""
    mx = Faker("es_MX")
    us = Faker("en_US")
    mx.seed_instance(seed)
    us.seed_instance(seed + 1)
    given = _without_reserved(
        [mx.first_name() for _ in range(900)] + [us.first_name() for _ in range(300)]
    )
    surnames = _without_reserved([mx.last_name() for _ in range(1500)])
    companies = _without_reserved(
        [mx.company() for _ in range(500)] + [us.company() for _ in range(700)]
    )
    country_codes, country_cities, city_start, city_count = [], [], [], []
    country_pick = []
    for index, (code, weight, locale) in enumerate(COUNTRIES, start=1):
        fake = Faker(locale)
        fake.seed_instance(seed + index)
        cities = _without_reserved(fake.city() for _ in range(60))
        country_codes.append(code)
        city_start.append(len(country_cities) + 1)
        city_count.append(len(cities))
        country_cities.extend(cities)
        country_pick.extend([index] * weight)

    def spread(weights):
        return [key for key, weight in weights.items() for _ in range(weight)]

    return {
        "given": given,
        "surnames": surnames,
        "companies": companies,
        "countries": country_codes,
        "country_pick": country_pick,  # indexes into countries, repeated by weight
        "cities": country_cities,
        "city_start": city_start,
        "city_count": city_count,
        "states": spread(STATE_WEIGHTS),
        "education": spread(EDUCATION_WEIGHTS),
        "visibility": spread(VISIBILITY_WEIGHTS),
        "fields_es": FIELDS_ES,
        "fields_en": FIELDS_EN,
        "positions_es": POSITIONS_ES,
        "positions_en": POSITIONS_EN,
        "headlines_es": HEADLINES_ES,
        "headlines_en": HEADLINES_EN,
        "bio_es": BIO_ES,
        "bio_en": BIO_EN,
        "institutions": INSTITUTIONS,
    }


def expertise_pool() -> list[str]:
    """Expertise tags other than the reserved broad one."""
    return _without_reserved(EXPERTISE)
