"""Choice lists shared by several apps (members, pncs, programs)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MexicanState(models.TextChoices):
    """The 32 entidades federativas, by their ISO 3166-2:MX code."""

    AGU = "AGU", "Aguascalientes"
    BCN = "BCN", "Baja California"
    BCS = "BCS", "Baja California Sur"
    CAM = "CAM", "Campeche"
    CHP = "CHP", "Chiapas"
    CHH = "CHH", "Chihuahua"
    CMX = "CMX", "Ciudad de México"
    COA = "COA", "Coahuila"
    COL = "COL", "Colima"
    DUR = "DUR", "Durango"
    GUA = "GUA", "Guanajuato"
    GRO = "GRO", "Guerrero"
    HID = "HID", "Hidalgo"
    JAL = "JAL", "Jalisco"
    MEX = "MEX", _("Estado de México")
    MIC = "MIC", "Michoacán"
    MOR = "MOR", "Morelos"
    NAY = "NAY", "Nayarit"
    NLE = "NLE", "Nuevo León"
    OAX = "OAX", "Oaxaca"
    PUE = "PUE", "Puebla"
    QUE = "QUE", "Querétaro"
    ROO = "ROO", "Quintana Roo"
    SLP = "SLP", "San Luis Potosí"
    SIN = "SIN", "Sinaloa"
    SON = "SON", "Sonora"
    TAB = "TAB", "Tabasco"
    TAM = "TAM", "Tamaulipas"
    TLA = "TLA", "Tlaxcala"
    VER = "VER", "Veracruz"
    YUC = "YUC", "Yucatán"
    ZAC = "ZAC", "Zacatecas"


class EducationLevel(models.TextChoices):
    """Highest education level, in the order of the Mexican system."""

    BACHILLERATO = "bachillerato", _("Bachillerato")
    TECNICO_SUPERIOR = "tecnico_superior", _("Técnico superior universitario")
    LICENCIATURA = "licenciatura", _("Licenciatura")
    ESPECIALIDAD = "especialidad", _("Especialidad")
    MAESTRIA = "maestria", _("Maestría")
    DOCTORADO = "doctorado", _("Doctorado")
    POSDOCTORADO = "posdoctorado", _("Posdoctorado")
