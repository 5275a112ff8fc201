"""Column specifications of the workspace tables and import kinds.

The kinds and their canonical columns are listed in docs/ARCHITECTURE.md, « Types
d'import ».

Each kind has canonical columns with a type, whether they are required, the allowed
values of enumerations and the header variants seen in real extracts (Sisal, Signal
Logement, spreadsheets kept by hand). :func:`normalise_header` folds case, accents,
spaces, hyphens and punctuation, so aliases are written already normalised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from dashboard.settings import DEFAULT_DEPARTEMENT

#: Value types understood by the validation.
COLUMN_TYPES = ("str", "insee", "siren", "code", "enum", "int", "float", "year", "date", "bool")


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column of a kind.

    Attributes
    ----------
    name : str
        Canonical name (also the database column).
    type : str
        One of :data:`COLUMN_TYPES`. ``insee`` is a commune code checked against the
        reference; ``code`` a territory code whose check depends on ``territoire_type``.
    required : bool
        Whether the column must be present in the file.
    label : str
        French description shown in templates and in the page.
    allowed : tuple of str
        Allowed values of an ``enum`` column (canonical spelling).
    aliases : tuple of str
        Other header spellings, already normalised with :func:`normalise_header`.
    nonnegative : bool
        For numbers: negative values are an error (counts, objectives).
    nullable : bool
        Whether a present column may hold empty cells.
    value_key : str
        Key of :data:`VALUE_ALIASES` for this enumeration (default: the column name).
    open_values : bool
        For an ``enum``: a value that is neither allowed nor an alias is kept as written,
        with a warning, instead of being an error (lists that other tools extend).
    """

    name: str
    type: str
    required: bool
    label: str
    allowed: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    nonnegative: bool = False
    nullable: bool = False
    value_key: str = ""
    open_values: bool = False


@dataclass(frozen=True)
class KindSpec:
    """An import kind and the workspace table that stores it.

    Attributes
    ----------
    kind : str
        Kind name used by the CLI and the page (also the table name).
    label : str
        French label.
    columns : tuple of ColumnSpec
        Canonical columns, in table order.
    unique : tuple of str
        Columns whose combination must be unique in a file (empty: no check).
    geo : bool
        Whether the kind is read from a geographic file (perimeter drawings).
    """

    kind: str
    label: str
    columns: tuple[ColumnSpec, ...]
    unique: tuple[str, ...] = ()
    geo: bool = False
    description: str = ""
    example: tuple[dict[str, str], ...] = field(default=())

    @property
    def names(self) -> list[str]:
        """Canonical column names in table order."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Names of the required columns."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> ColumnSpec:
        """Spec of a canonical column (KeyError if unknown)."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


def normalise_header(text: object) -> str:
    """Fold a header or an enumeration value for comparison.

    Lower case, accents removed, ``œ`` → ``oe``, every run of spaces, hyphens, dots,
    apostrophes, slashes or other punctuation becomes one ``_``; ``N°`` becomes ``num``.

    Examples
    --------
    >>> normalise_header("  Code INSEE  ")
    'code_insee'
    >>> normalise_header("Année de début")
    'annee_de_debut'
    >>> normalise_header("N° opération")
    'num_operation'
    """
    value = str(text).strip().replace("œ", "oe").replace("Œ", "OE").replace("°", "o ")
    value = unicodedata.normalize("NFKD", value)
    value = "".join(ch for ch in value if not unicodedata.combining(ch)).lower()
    value = re.sub(r"[^a-z0-9]+", "_", value).strip("_")
    return re.sub(r"(^|_)no(_|$)", r"\1num\2", value)


TERRITOIRE_TYPES = ("departement", "instance", "epci", "commune")
INSTANCE_TYPES = ("clh", "territoire", "secteur_pdh")
OPERATION_STATUTS = ("programmee", "agreee", "livree", "abandonnee")
PROCEDURES = ("insalubrite", "peril", "non_decence", "rsd", "autre")
PLAN_TYPES = ("PDALHPD", "PLH", "PDH", "PLUIH")
PLAN_STATUTS = ("en_vigueur", "en_elaboration", "en_revision", "echu", "proroge")
#: Statuses of a signalement: those of Signal Logement (``SignalementStatus`` and
#: ``AffectationStatus`` of MTES-MCT/histologe), as stored codes, with their French label.
STATUTS_SIGNALEMENT: dict[str, str] = {
    "nouveau": "nouveau",
    "en_cours": "en cours",
    "ferme": "fermé",
    "refuse": "refusé",
    "archive": "archivé",
    "brouillon": "brouillon",
    "brouillon_archive": "brouillon archivé",
    "injonction_bailleur": "injonction bailleur",
    "injonction_cloture": "injonction clôturée",
    "en_mediation": "en médiation",
}
#: Closure motifs of Signal Logement (``MotifCloture`` of MTES-MCT/histologe, V1 and V2
#: lists), as stored codes (the enum's value in lower case), with its French label.
MOTIFS_CLOTURE: dict[str, str] = {
    "travaux_faits_ou_en_cours": "Travaux faits ou en cours",
    "logement_mis_en_conformite": "Logement mis en conformité",
    "relogement_occupant": "Relogement occupant",
    "insalubrite": "Insalubrité",
    "peril": "Mise en sécurité / Péril",
    "rsd": "RSD",
    "non_decence": "Non décence",
    "logement_decent": "Pas d'infraction dans le logement",
    "depart_occupant": "Départ occupant",
    "logement_vendu": "Logement vendu",
    "abandon_de_procedure_absence_de_reponse": "Abandon de procédure / absence de réponse",
    "demande_fermeture_abandon_occupant": "Demande fermeture / abandon occupant",
    "absence_de_reponse_occupant": "Absence de réponse occupant",
    "refus_de_visite": "Refus de visite",
    "refus_de_travaux": "Refus de travaux",
    "responsabilite_de_l_occupant": "Responsabilité de l'occupant / assurantiel",
    "gestion_du_dossier_externe": "Gestion du dossier externe",
    "hors_perimetre_lhi": "Hors périmètre LHI",
    "hors_competence": "Hors compétence",
    "doublon": "Doublon",
    "autre": "Autre",
}
ACTION_STATUTS = ("a_engager", "en_cours", "realisee", "reportee", "abandonnee")
#: Review state of a délégué's entry (réalisation or comment): declared until the comité
#: validates it or sends it back. Rows imported without it are official figures.
VALIDATION_STATUTS = ("declare", "valide", "a_revoir")
STATUT_DECLARE, STATUT_VALIDE, STATUT_A_REVOIR = VALIDATION_STATUTS
#: French label of every stored code a user may read: **the** dictionary of the chips,
#: headings, chart labels, legends, tables and exports (a stored code is never shown as such,
#: docs/ARCHITECTURE.md § 3). Keys are the fields of :data:`VALUE_ALIASES`; each field's
#: order is the stable order of its categories in charts and legends.
LABELS: dict[str, dict[str, str]] = {
    "statut_operation": {"livree": "livrée", "agreee": "agréée", "programmee": "programmée",
                         "abandonnee": "abandonnée"},
    "procedure": {"insalubrite": "Insalubrité", "peril": "Péril", "rsd": "RSD",
                  "non_decence": "Non-décence", "autre": "Autre"},
    "type_plan": {"PDALHPD": "PDALHPD", "PLH": "PLH", "PDH": "PDH", "PLUIH": "PLUi-H"},
    "statut_plan": {"en_vigueur": "en vigueur", "proroge": "prorogé",
                    "en_revision": "en révision", "en_elaboration": "en élaboration",
                    "echu": "échu"},
    "territoire_type": {"departement": "département", "instance": "instance", "epci": "EPCI",
                        "commune": "commune"},
    "instance_type": {"clh": "CLH", "territoire": "territoire", "secteur_pdh": "secteur du PDH"},
    "statut_signalement": STATUTS_SIGNALEMENT,
    "motif_cloture": MOTIFS_CLOTURE,
    "statut_action": {"a_engager": "à engager", "en_cours": "en cours", "realisee": "réalisée",
                      "reportee": "reportée", "abandonnee": "abandonnée"},
    "statut_validation": {"declare": "déclaré — en attente de validation", "valide": "validé",
                          "a_revoir": "à revoir"},
}


def label(field: str, code: object) -> str:
    """French label of a stored ``code`` of ``field`` (a key of :data:`LABELS`).

    An unknown code is shown as is, an empty one as « non renseigné ».

    Examples
    --------
    >>> label("statut_operation", "agreee"), label("statut_plan", "en_revision")
    ('agréée', 'en révision')
    """
    if is_blank(code):
        return "non renseigné"
    return LABELS[field].get(str(code), str(code))


def order_of(field: str, codes: Iterable[object]) -> list[object]:
    """``codes`` in the stable order of ``field`` (known codes first, then the others sorted)."""
    rank = {code: i for i, code in enumerate(LABELS[field])}
    return sorted(dict.fromkeys(codes), key=lambda c: (rank.get(str(c), len(rank)), str(c)))


#: Separator of the list cells (an action's indicators and territories), as stored.
LIST_SEPARATOR = ","

#: Spellings of enumeration values seen in extracts → canonical value (keys normalised).
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "procedure": {
        "mise_en_securite": "peril",
        "peril_ordinaire": "peril",
        "peril_imminent": "peril",
        "indecence": "non_decence",
        "reglement_sanitaire_departemental": "rsd",
        "infraction_rsd": "rsd",
        "insalubrite_remediable": "insalubrite",
        "insalubrite_irremediable": "insalubrite",
    },
    "statut_operation": {"programme": "programmee", "agree": "agreee", "livre": "livree",
                         "abandonne": "abandonnee", "annulee": "abandonnee"},
    "type_plan": {"pdalpd": "PDALHPD", "plui_h": "PLUIH", "pluih": "PLUIH"},
    "territoire_type": {"dep": "departement", "departemental": "departement",
                        "intercommunalite": "epci", "epci_a_fiscalite_propre": "epci"},
    "instance_type": {"comite_local_de_l_habitat": "clh", "secteur": "secteur_pdh",
                      "secteur_du_pdh": "secteur_pdh"},
    "statut_plan": {"adopte": "en_vigueur", "execute": "en_vigueur", "en_cours": "en_vigueur",
                    "elaboration": "en_elaboration", "revision": "en_revision",
                    "expire": "echu", "termine": "echu", "prolonge": "proroge"},
    # Signal Logement writes its labels (« fermé », « en cours »); other tools and hand-kept
    # files write « clos », « clôturé », « terminé ».
    "statut_signalement": {
        **{normalise_header(label): code for code, label in STATUTS_SIGNALEMENT.items()},
        "clos": "ferme", "close": "ferme", "cloture": "ferme", "cloturee": "ferme",
        "termine": "ferme", "ferme_e": "ferme", "en_attente": "nouveau", "a_traiter": "nouveau",
        "accepte": "en_cours", "injonction_cloturee": "injonction_cloture",
    },
    # The labels of every version of Signal Logement (« Logement décent / Pas d'infraction »
    # before « Pas d'infraction dans le logement »), and common hand-written variants.
    "motif_cloture": {
        **{normalise_header(label): code for code, label in MOTIFS_CLOTURE.items()},
        "logement_decent_pas_d_infraction": "logement_decent",
        "pas_d_infraction": "logement_decent",
        "non_decence_non_constatee": "logement_decent",
        "mise_en_securite": "peril", "peril": "peril",
        "travaux_realises": "travaux_faits_ou_en_cours",
        "travaux_faits": "travaux_faits_ou_en_cours",
        "relogement": "relogement_occupant",
        "relogement_de_l_occupant": "relogement_occupant",
        "depart_de_l_occupant": "depart_occupant",
        "abandon_de_procedure": "abandon_de_procedure_absence_de_reponse",
        "infraction_rsd": "rsd", "reglement_sanitaire_departemental": "rsd",
        "non_decence_constatee": "non_decence", "indecence": "non_decence",
    },
    "statut_action": {"non_engagee": "a_engager", "a_lancer": "a_engager",
                      "non_demarree": "a_engager", "pas_commencee": "a_engager",
                      "prevue": "a_engager", "engagee": "en_cours", "demarree": "en_cours",
                      "lancee": "en_cours", "en_realisation": "en_cours",
                      "terminee": "realisee", "achevee": "realisee", "realise": "realisee",
                      "faite": "realisee", "reporte": "reportee", "decalee": "reportee",
                      "differee": "reportee", "abandonne": "abandonnee",
                      "annulee": "abandonnee", "supprimee": "abandonnee"},
    "statut_validation": {"declaree": "declare", "en_attente": "declare",
                          "a_valider": "declare", "validee": "valide", "accepte": "valide",
                          "acceptee": "valide", "a_corriger": "a_revoir", "refuse": "a_revoir",
                          "refusee": "a_revoir", "rejete": "a_revoir", "rejetee": "a_revoir"},
}

_TERRITOIRE = (
    ColumnSpec(
        "territoire_type", "enum", True,
        "type de territoire : departement, instance, epci ou commune",
        allowed=TERRITOIRE_TYPES,
        aliases=("type_territoire", "type_de_territoire", "niveau", "echelle"),
    ),
    ColumnSpec(
        "territoire_code", "code", True,
        "code du territoire : code du département, code de l'instance, SIREN de l'EPCI "
        "ou code INSEE de la commune",
        aliases=("code_territoire", "code_du_territoire", "territoire", "code"),
    ),
)
_INDICATEUR = ColumnSpec(
    "indicateur", "str", True, "code de l'indicateur (voir le catalogue : plai, "
    "parc_prive_social, contingent_attributions, signalements_traites…)",
    aliases=("code_indicateur", "indicator"),
)
_SOURCE = ColumnSpec("source", "str", False, "source de la donnée", nullable=True,
                     aliases=("origine",))
_LATLON = (
    ColumnSpec("latitude", "float", False, "latitude WGS84 (degrés décimaux)", nullable=True,
               aliases=("lat", "latitude_wgs84")),
    ColumnSpec("longitude", "float", False, "longitude WGS84 (degrés décimaux)", nullable=True,
               aliases=("lon", "lng", "long", "longitude_wgs84")),
)
#: Review columns of the entries of the délégués' loop (réalisations, comments).
_VALIDATION = (
    ColumnSpec("statut_validation", "enum", False,
               "declare, valide ou a_revoir : vide pour un chiffre officiel importé ; une "
               "saisie d'un délégué est « declare » jusqu'à la décision du comité",
               allowed=VALIDATION_STATUTS, nullable=True,
               aliases=("validation", "etat_validation", "statut_de_validation")),
    ColumnSpec("motif_revue", "str", False, "motif du comité quand la saisie est à revoir",
               nullable=True, aliases=("motif", "motif_de_revue", "commentaire_du_comite")),
)
_CODE_INSEE_ALIASES = (
    "code_commune", "insee", "code_insee_commune", "code_commune_insee", "commune_insee",
    "cog", "code_cog", "depcom", "codgeo", "insee_commune",
)

KINDS: dict[str, KindSpec] = {}


def _add(spec: KindSpec) -> None:
    KINDS[spec.kind] = spec


_add(KindSpec(
    "instances", "Instances locales (composition par commune ou par EPCI)",
    (
        ColumnSpec("instance_code", "str", True, "code court de l'instance (ex. GRE)",
                   aliases=("code_instance", "instance", "code_clh", "clh")),
        ColumnSpec("instance_nom", "str", True, "nom de l'instance",
                   aliases=("nom_instance", "libelle_instance", "nom_clh", "libelle")),
        ColumnSpec("instance_type", "enum", True, "clh, territoire ou secteur_pdh",
                   allowed=INSTANCE_TYPES, aliases=("type_instance", "type")),
        ColumnSpec("code_insee", "insee", False, "code INSEE d'une commune membre",
                   aliases=_CODE_INSEE_ALIASES, nullable=True),
        ColumnSpec("epci_siren", "siren", False, "SIREN d'un EPCI membre (toutes ses communes)",
                   aliases=("siren", "siren_epci", "code_epci", "epci"), nullable=True),
    ),
    unique=("instance_code", "code_insee", "epci_siren"),
    description="Une ligne par commune ou par EPCI membre ; renseigner code_insee ou "
    "epci_siren, pas les deux.",
    example=({"instance_code": "GRE", "instance_nom": "Grésivaudan", "instance_type": "clh",
              "code_insee": "", "epci_siren": "200018166"},),
))
_add(KindSpec(
    "perimetres", "Périmètres dessinés (GeoJSON, GeoPackage, Shapefile zippé)",
    (
        # A shapefile cuts field names at 10 characters: « instance_c », « code_insta »…
        ColumnSpec("instance_code", "str", True, "code court de l'instance",
                   aliases=("code_instance", "code", "instance", "instance_c", "code_insta")),
        ColumnSpec("instance_nom", "str", True, "nom de l'instance",
                   aliases=("nom_instance", "nom", "libelle", "instance_n", "nom_instan")),
        ColumnSpec("instance_type", "enum", False, "clh, territoire ou secteur_pdh",
                   allowed=INSTANCE_TYPES, aliases=("type_instance", "type", "instance_t",
                                                    "type_insta"), nullable=True),
    ),
    geo=True,
    description="Chaque commune est rattachée au périmètre qui couvre la plus grande part "
    "de sa surface ; les communes partagées ou hors dessin sont signalées.",
))
_add(KindSpec(
    "objectifs", "Objectifs du plan (fiches action, territorialisation)",
    (
        *_TERRITOIRE,
        _INDICATEUR,
        ColumnSpec("annee_debut", "year", True, "première année de la période",
                   aliases=("debut", "annee_de_debut", "annee_debut_periode")),
        ColumnSpec("annee_fin", "year", True, "dernière année de la période",
                   aliases=("fin", "annee_de_fin", "annee_fin_periode")),
        ColumnSpec("valeur", "float", True, "objectif sur la période", nonnegative=True,
                   aliases=("objectif", "cible", "valeur_cible")),
        _SOURCE,
    ),
    unique=("territoire_type", "territoire_code", "indicateur", "annee_debut", "annee_fin"),
    example=({"territoire_type": "departement", "territoire_code": DEFAULT_DEPARTEMENT,
              "indicateur": "plai", "annee_debut": "2021", "annee_fin": "2026", "valeur": "4500",
              "source": "PDALHPD, fiche action 1"},),
))
_add(KindSpec(
    "realisations", "Réalisations (indicateurs non calculés depuis les opérations)",
    (
        *_TERRITOIRE,
        _INDICATEUR,
        ColumnSpec("annee", "year", True, "année", aliases=("exercice", "millesime")),
        ColumnSpec("valeur", "float", True, "valeur réalisée", nonnegative=True,
                   aliases=("realise", "realisation", "nombre")),
        _SOURCE,
        ColumnSpec("auteur", "str", False, "auteur (par défaut : la personne qui importe)",
                   nullable=True, aliases=("declare_par", "redacteur", "saisi_par")),
        *_VALIDATION,
    ),
    unique=("territoire_type", "territoire_code", "indicateur", "annee"),
    description="Une déclaration validée remplace, pour son territoire, son indicateur et "
    "son année, les valeurs antérieures ; une déclaration en attente ou à revoir ne compte "
    "pas dans les indicateurs.",
    example=({"territoire_type": "epci", "territoire_code": "200040715",
              "indicateur": "contingent_attributions", "annee": "2023", "valeur": "412",
              "source": "SYPLO", "auteur": "", "statut_validation": "", "motif_revue": ""},),
))
_add(KindSpec(
    "operations", "Opérations financées (extrait Sisal / Galion)",
    (
        ColumnSpec("id_operation", "str", True, "identifiant de l'opération",
                   aliases=("num_operation", "numero_operation", "identifiant_operation",
                            "id", "code_operation", "ref_operation", "num_dossier")),
        ColumnSpec("code_insee", "insee", True, "code INSEE de la commune",
                   aliases=_CODE_INSEE_ALIASES),
        ColumnSpec("annee", "year", True, "année de programmation",
                   aliases=("annee_de_programmation", "annee_programmation", "exercice",
                            "annee_de_financement", "millesime")),
        ColumnSpec("nb_plai", "int", True, "logements PLA-I", nonnegative=True,
                   aliases=("plai", "nb_pla_i", "nombre_plai", "nombre_de_plai",
                            "nb_logements_plai", "logements_plai")),
        ColumnSpec("nb_plus", "int", False, "logements PLUS", nonnegative=True, nullable=True,
                   aliases=("plus", "nombre_plus", "nombre_de_plus", "nb_logements_plus")),
        ColumnSpec("nb_pls", "int", False, "logements PLS", nonnegative=True, nullable=True,
                   aliases=("pls", "nombre_pls", "nombre_de_pls", "nb_logements_pls")),
        ColumnSpec("statut", "enum", False, "programmee, agreee, livree ou abandonnee",
                   allowed=OPERATION_STATUTS, nullable=True, value_key="statut_operation",
                   aliases=("etat", "statut_operation", "etat_operation")),
        ColumnSpec("bailleur", "str", False, "maître d'ouvrage", nullable=True,
                   aliases=("maitre_d_ouvrage", "moa", "organisme", "bailleur_social")),
        ColumnSpec("libelle", "str", False, "libellé de l'opération", nullable=True,
                   aliases=("nom_operation", "libelle_operation", "intitule", "nom_programme")),
        *_LATLON,
    ),
    unique=("id_operation",),
    example=({"id_operation": "2023-038-0001", "code_insee": "38185", "annee": "2023",
              "nb_plai": "12", "nb_plus": "20", "nb_pls": "0", "statut": "agreee",
              "bailleur": "Grenoble Habitat", "libelle": "Les Jardins",
              "latitude": "45,1885", "longitude": "5,7245"},),
))
_add(KindSpec(
    "signalements", "Signalements d'habitat indigne (Signal Logement, SI-LHI)",
    (
        ColumnSpec("id_signalement", "str", True, "identifiant du signalement",
                   aliases=("reference", "num_signalement", "numero_signalement",
                            "reference_signalement", "id", "uuid", "identifiant")),
        ColumnSpec("code_insee", "insee", True, "code INSEE de la commune du logement",
                   aliases=_CODE_INSEE_ALIASES),
        ColumnSpec("date_signalement", "date", True, "date de dépôt (JJ/MM/AAAA ou AAAA-MM-JJ)",
                   aliases=("depose_le", "date_de_depot", "date_depot", "date_du_signalement",
                            "date", "date_de_signalement", "date_creation",
                            "date_de_creation")),
        ColumnSpec("statut", "enum", False,
                   "statut Signal Logement : nouveau, en cours, fermé, refusé, archivé…",
                   allowed=tuple(STATUTS_SIGNALEMENT), nullable=True,
                   value_key="statut_signalement", open_values=True,
                   aliases=("etat", "statut_signalement")),
        ColumnSpec("procedure", "enum", False, "insalubrite, peril, non_decence, rsd ou autre",
                   allowed=PROCEDURES, nullable=True,
                   aliases=("type_procedure", "procedure_envisagee", "qualification")),
        ColumnSpec("date_cloture", "date", False, "date de clôture", nullable=True,
                   aliases=("ferme_le", "cloture_le", "date_de_cloture", "date_de_fermeture",
                            "clos_le")),
        ColumnSpec("motif_cloture", "enum", False,
                   "motif de clôture Signal Logement (travaux faits, relogement, insalubrité…)",
                   allowed=tuple(MOTIFS_CLOTURE), nullable=True, open_values=True,
                   aliases=("motif_de_cloture",)),
        *_LATLON,
    ),
    unique=("id_signalement",),
    description="L'export de Signal Logement (CSV ou XLSX) s'importe tel quel : ses colonnes "
    "sont reconnues. Les colonnes de données personnelles (noms, téléphone, courriel, "
    "adresse, description…) sont supprimées à l'import.",
    example=({"id_signalement": "2024-00123", "code_insee": "38185",
              "date_signalement": "15/03/2024", "statut": "en_cours", "procedure": "non_decence",
              "date_cloture": "", "motif_cloture": "", "latitude": "", "longitude": ""},),
))
_add(KindSpec(
    "plans", "Plans et programmes (PDALHPD, PLH, PDH, PLUi-H)",
    (
        ColumnSpec("type_plan", "enum", True, "PDALHPD, PLH, PDH ou PLUIH", allowed=PLAN_TYPES,
                   aliases=("type", "type_de_plan", "document")),
        *_TERRITOIRE,
        ColumnSpec("intitule", "str", True, "intitulé du plan",
                   aliases=("libelle", "nom", "titre", "nom_plan")),
        ColumnSpec("statut", "enum", True,
                   "en_vigueur, en_elaboration, en_revision, echu ou proroge",
                   allowed=PLAN_STATUTS, aliases=("etat", "statut_plan", "avancement"),
                   value_key="statut_plan"),
        ColumnSpec("date_debut", "date", True, "date de début (vide possible en élaboration)",
                   aliases=("debut", "date_de_debut", "date_adoption", "date_d_adoption"),
                   nullable=True),
        ColumnSpec("date_fin", "date", True, "date de fin (vide possible en élaboration)",
                   aliases=("fin", "date_de_fin", "date_echeance", "echeance"), nullable=True),
        ColumnSpec("objectif_plai_annuel", "float", False, "objectif annuel de PLA-I",
                   nonnegative=True, nullable=True,
                   aliases=("objectif_plai", "plai_annuel", "objectif_annuel_plai")),
        ColumnSpec("volet_defavorises", "bool", False,
                   "le plan a-t-il un volet personnes défavorisées (oui/non)", nullable=True,
                   aliases=("volet_personnes_defavorisees", "volet_defavorise")),
    ),
    unique=("type_plan", "territoire_type", "territoire_code", "date_debut", "intitule"),
    example=({"type_plan": "PLH", "territoire_type": "epci", "territoire_code": "200040715",
              "intitule": "PLH de Grenoble-Alpes Métropole 2025-2030", "statut": "en_vigueur",
              "date_debut": "01/01/2025", "date_fin": "31/12/2030",
              "objectif_plai_annuel": "450", "volet_defavorises": "oui"},),
))
_add(KindSpec(
    "populations", "Populations (remplacent celles du référentiel)",
    (
        ColumnSpec("code_insee", "insee", True, "code INSEE de la commune",
                   aliases=_CODE_INSEE_ALIASES),
        ColumnSpec("population", "int", True, "population municipale", nonnegative=True,
                   aliases=("pmun", "population_municipale", "pop", "habitants")),
        ColumnSpec("millesime", "year", True, "année du recensement",
                   aliases=("annee", "annee_recensement")),
    ),
    unique=("code_insee",),
    example=({"code_insee": "38185", "population": "158240", "millesime": "2021"},),
))

_add(KindSpec(
    "commentaires", "Commentaires sur un territoire (délégués EPCI, comité)",
    (
        *_TERRITOIRE,
        ColumnSpec("date", "date", True, "date du commentaire (JJ/MM/AAAA ou AAAA-MM-JJ)",
                   aliases=("date_commentaire", "le")),
        ColumnSpec("texte", "str", True, "texte du commentaire",
                   aliases=("commentaire", "observation", "observations", "message")),
        ColumnSpec("auteur", "str", False, "auteur (par défaut : la personne qui importe)",
                   nullable=True, aliases=("redacteur", "par")),
        ColumnSpec("action", "str", False, "code de l'action du programme commentée",
                   nullable=True, aliases=("code_action", "fiche_action", "action_code")),
        *_VALIDATION,
    ),
    description="Un délégué EPCI ne peut commenter que son EPCI et ses communes ; son "
    "commentaire est « déclaré » jusqu'à sa validation par le comité.",
    example=({"territoire_type": "epci", "territoire_code": "200040715", "date": "15/03/2025",
              "texte": "Deux opérations PLA-I décalées en 2026 (foncier).", "auteur": "",
              "action": "1.2", "statut_validation": "", "motif_revue": ""},),
))

_add(KindSpec(
    "actions", "Programme d'actions du plan (fiches action)",
    (
        ColumnSpec("code", "str", True, "code de la fiche action (ex. 1.2)",
                   aliases=("code_action", "num_action", "numero_action", "fiche_action",
                            "num_fiche", "numero_de_fiche", "reference", "action")),
        ColumnSpec("axe", "str", True, "axe du plan (ex. Prévention des expulsions)",
                   aliases=("axe_strategique", "orientation", "axe_du_plan", "thematique")),
        ColumnSpec("intitule", "str", True, "intitulé de l'action",
                   aliases=("libelle", "titre", "nom_action", "intitule_action",
                            "libelle_action", "intitule_de_l_action", "libelle_de_l_action",
                            "objectif")),
        ColumnSpec("pilote", "str", True, "pilote (service ou partenaire responsable)",
                   aliases=("pilotes", "responsable", "porteur", "service_pilote",
                            "pilote_de_l_action")),
        ColumnSpec("partenaires", "str", False, "partenaires associés", nullable=True,
                   aliases=("partenaire", "partenaires_associes", "co_pilotes")),
        ColumnSpec("budget", "float", False, "moyens financiers (euros, sur la durée)",
                   nonnegative=True, nullable=True,
                   aliases=("moyens_financiers", "budget_eur", "montant", "cout",
                            "budget_previsionnel", "financement")),
        ColumnSpec("etp", "float", False, "moyens humains (équivalents temps plein)",
                   nonnegative=True, nullable=True,
                   aliases=("moyens_humains", "etp_mobilises", "equivalents_temps_plein")),
        ColumnSpec("date_debut", "date", False, "début de l'action", nullable=True,
                   aliases=("debut", "date_de_debut", "lancement")),
        ColumnSpec("date_fin", "date", False, "échéance de l'action", nullable=True,
                   aliases=("fin", "date_de_fin", "echeance", "date_echeance")),
        ColumnSpec("statut", "enum", True,
                   "a_engager, en_cours, realisee, reportee ou abandonnee",
                   allowed=ACTION_STATUTS, value_key="statut_action",
                   aliases=("etat", "statut_action", "etat_d_avancement", "avancement")),
        ColumnSpec("indicateurs", "str", False,
                   "codes des indicateurs suivis, séparés par des virgules (catalogue : plai, "
                   "contingent_attributions…)", nullable=True,
                   aliases=("indicateur", "indicateurs_de_resultat", "indicateurs_lies",
                            "codes_indicateurs")),
        ColumnSpec("territoires", "str", False,
                   "territoires concernés, séparés par des virgules : epci:SIREN, "
                   "instance:CODE, commune:INSEE ; vide : tout le département", nullable=True,
                   aliases=("territoire", "territoires_concernes", "perimetre",
                            "territoires_cibles")),
    ),
    unique=("code",),
    description="Une ligne par fiche action. Les indicateurs liés reprennent les objectifs "
    "et réalisations importés ; l'avancement est la part des jalons réalisés.",
    example=({"code": "2.1", "axe": "Prévention des expulsions",
              "intitule": "Renforcer les CCAPEX locales", "pilote": "DDETS",
              "partenaires": "Département, CAF, bailleurs sociaux", "budget": "120000",
              "etp": "1,5", "date_debut": "01/01/2021", "date_fin": "31/12/2026",
              "statut": "en_cours", "indicateurs": "accompagnements_avdl",
              "territoires": "epci:200040715, instance:VCH"},),
))
_add(KindSpec(
    "jalons", "Jalons des actions (calendrier d'exécution)",
    (
        ColumnSpec("action", "str", True, "code de l'action",
                   aliases=("code_action", "fiche_action", "action_code", "num_action")),
        ColumnSpec("libelle", "str", True, "libellé du jalon",
                   aliases=("jalon", "intitule", "etape", "description", "libelle_jalon")),
        ColumnSpec("date_prevue", "date", True, "date prévue (JJ/MM/AAAA)",
                   aliases=("echeance", "date_previsionnelle", "prevu_le", "date_cible",
                            "date_prevision", "prevue_le")),
        ColumnSpec("date_realisee", "date", False, "date de réalisation (vide : pas encore)",
                   nullable=True, aliases=("realise_le", "date_de_realisation",
                                           "date_effective", "realisee_le", "fait_le")),
    ),
    unique=("action", "libelle"),
    description="Un jalon non réalisé à sa date prévue est « en retard » à la date de "
    "référence.",
    example=({"action": "2.1", "libelle": "Charte de prévention signée",
              "date_prevue": "30/06/2022", "date_realisee": "15/09/2022"},),
))

# ------------------------------------------------------------------ the plan's other fields
#: Stages of an eviction procedure, in the order of the procedure (stored code → label).
ETAPES_EXPULSION: dict[str, str] = {
    "commandement_payer": "commandements de payer",
    "assignation": "assignations",
    "jugement_resiliation": "jugements de résiliation du bail",
    "commandement_quitter": "commandements de quitter les lieux",
    "demande_concours": "demandes de concours de la force publique",
    "concours_accorde": "concours de la force publique accordés",
    "expulsion_effective": "expulsions effectives",
}
#: Priority-allocation schemes (stored code → label).
DISPOSITIFS_ATTRIBUTION: dict[str, str] = {
    "accord_collectif": "accord collectif d'attribution",
    "contingent_prefectoral": "contingent préfectoral",
}
#: Aid lines of the FSL (stored code → label).
VOLETS_FSL: dict[str, str] = {
    "acces": "accès au logement",
    "maintien": "maintien dans le logement",
    "energie": "énergie",
    "eau": "eau",
    "telephone": "téléphone et internet",
}
#: Territories of the fields' kinds: a commune or an EPCI (a département for the published
#: tables by département). An instance is not a source: its perimeter changes with the plan.
FIELD_TERRITOIRE_TYPES = ("departement", "epci", "commune")

VALUE_ALIASES.update({
    "etape": {
        **{normalise_header(label): code for code, label in ETAPES_EXPULSION.items()},
        "commandement_de_payer": "commandement_payer", "commandements_de_payer":
        "commandement_payer", "cdp": "commandement_payer",
        "assignations": "assignation", "assignation_aux_fins_de_resiliation": "assignation",
        "assignation_en_justice": "assignation",
        "jugement": "jugement_resiliation", "resiliation_du_bail": "jugement_resiliation",
        "jugement_resiliation_du_bail": "jugement_resiliation",
        "jugement_de_resiliation_du_bail": "jugement_resiliation",
        "decision_de_justice_prononcant_l_expulsion": "jugement_resiliation",
        "decisions_de_justice_prononcant_l_expulsion": "jugement_resiliation",
        "jugements": "jugement_resiliation",
        "commandement_de_quitter_les_lieux": "commandement_quitter",
        "commandements_de_quitter_les_lieux": "commandement_quitter",
        "cql": "commandement_quitter",
        "demande_de_concours_de_la_force_publique": "demande_concours",
        "demandes_de_concours_de_la_force_publique": "demande_concours",
        "demande_cfp": "demande_concours", "requisition_de_la_force_publique": "demande_concours",
        "concours_de_la_force_publique_accorde": "concours_accorde",
        "decisions_accordant_le_concours_de_la_force_publique": "concours_accorde",
        "octroi_du_concours": "concours_accorde", "cfp_accorde": "concours_accorde",
        "concours_accordes": "concours_accorde",
        "expulsion": "expulsion_effective", "expulsions_effectives": "expulsion_effective",
        "expulsion_realisee": "expulsion_effective",
        "intervention_effective_de_la_force_publique": "expulsion_effective",
        "interventions_effectives_de_la_force_publique": "expulsion_effective",
    },
    "dispositif": {
        **{normalise_header(label): code for code, label in DISPOSITIFS_ATTRIBUTION.items()},
        "accord_collectif_d_attribution": "accord_collectif", "acia": "accord_collectif",
        "accord_collectif_departemental": "accord_collectif",
        "accord_collectif_intercommunal": "accord_collectif", "aci": "accord_collectif",
        "contingent": "contingent_prefectoral", "contingent_de_l_etat": "contingent_prefectoral",
        "contingent_reservataire_de_l_etat": "contingent_prefectoral",
        "syplo": "contingent_prefectoral", "contingent_prefet": "contingent_prefectoral",
    },
    "volet_fsl": {
        **{normalise_header(label): code for code, label in VOLETS_FSL.items()},
        "acces_au_logement": "acces", "fsl_acces": "acces", "maintien_dans_le_logement":
        "maintien", "fsl_maintien": "maintien", "impayes_de_loyer": "maintien",
        "energie_fluides": "energie", "fsl_energie": "energie", "impayes_d_energie": "energie",
        "fluides": "energie", "electricite_gaz": "energie", "fsl_eau": "eau",
        "impayes_d_eau": "eau", "telephonie": "telephone", "telecommunications": "telephone",
    },
    "territoire_champ": {"dep": "departement", "departemental": "departement",
                         "intercommunalite": "epci", "epci_a_fiscalite_propre": "epci"},
})

_TERRITOIRE_CHAMP = (
    ColumnSpec(
        "territoire_type", "enum", False,
        "commune, epci ou departement (vide : déduit du code — 5 caractères : commune, "
        "9 chiffres : EPCI, 2 ou 3 : département)",
        allowed=FIELD_TERRITOIRE_TYPES, nullable=True, value_key="territoire_champ",
        aliases=("type_territoire", "type_de_territoire", "niveau", "echelle"),
    ),
    ColumnSpec(
        "territoire_code", "code", True,
        "code INSEE de la commune, SIREN de l'EPCI ou code du département",
        aliases=("code_territoire", "code_du_territoire", "territoire", "code", "code_insee",
                 *_CODE_INSEE_ALIASES, "siren", "siren_epci", "code_epci", "epci_siren",
                 "code_departement", "departement"),
    ),
)
_ANNEE = ColumnSpec("annee", "year", True, "année",
                    aliases=("exercice", "millesime", "annee_d_activite", "periode"))


def _count(name: str, label: str, *aliases: str, required: bool = True) -> ColumnSpec:
    return ColumnSpec(name, "int", required, label, nonnegative=True, nullable=not required,
                      aliases=aliases)


_add(KindSpec(
    "expulsions", "Prévention des expulsions (étapes de la procédure, CCAPEX)",
    (
        *_TERRITOIRE_CHAMP,
        _ANNEE,
        ColumnSpec("etape", "enum", True,
                   "étape : commandement_payer, assignation, jugement_resiliation, "
                   "commandement_quitter, demande_concours, concours_accorde, "
                   "expulsion_effective", allowed=tuple(ETAPES_EXPULSION),
                   aliases=("etape_de_la_procedure", "stade", "phase", "procedure")),
        _count("nombre", "nombre de ménages (ou de décisions) à cette étape",
               "nb", "effectif", "nombre_de_menages", "total", "valeur"),
        _count("saisines_ccapex", "saisines de la CCAPEX à cette étape", "saisines",
               "ccapex_saisines", "nb_saisines_ccapex", "saisines_de_la_ccapex",
               required=False),
        _count("issues_favorables_ccapex", "dossiers CCAPEX clos par un maintien dans les "
               "lieux, un plan d'apurement ou un relogement", "issues_favorables",
               "maintiens_ccapex", "ccapex_issues_favorables", required=False),
        _SOURCE,
    ),
    unique=("territoire_type", "territoire_code", "annee", "etape"),
    description="Une ligne par territoire, année et étape de la procédure (du commandement "
    "de payer à l'expulsion effective) ; le tableau publié par département, une colonne par "
    "étape, est reconnu tel quel.",
    example=({"territoire_type": "epci", "territoire_code": "200040715", "annee": "2024",
              "etape": "assignation", "nombre": "640", "saisines_ccapex": "410",
              "issues_favorables_ccapex": "150", "source": "DDETS, CCAPEX"},),
))
_add(KindSpec(
    "dalo", "Droit au logement opposable (recours, décisions, relogements)",
    (
        *_TERRITOIRE_CHAMP,
        _ANNEE,
        _count("recours_deposes", "recours logement déposés", "recours", "nb_recours",
               "recours_logement", "recours_logement_deposes", "nombre_de_recours"),
        _count("decisions_favorables", "décisions favorables de la commission de médiation",
               "decisions_favorables_commission", "favorables", "avis_favorables",
               "prioritaires_et_urgents", "menages_reconnus_prioritaires"),
        _count("menages_reloges", "ménages reconnus relogés", "reloges", "relogements",
               "menages_dalo_reloges", "nb_reloges", "menages_loges"),
        ColumnSpec("delai_median_mois", "float", False,
                   "délai médian entre la décision et le relogement (mois)", nonnegative=True,
                   nullable=True, aliases=("delai_median", "delai_median_de_relogement",
                                           "delai_mois", "delai_median_en_mois")),
        _SOURCE,
    ),
    unique=("territoire_type", "territoire_code", "annee"),
    description="Une ligne par territoire et année (extrait InfoDALo ou bilan de la "
    "commission de médiation).",
    example=({"territoire_type": "epci", "territoire_code": "200040715", "annee": "2024",
              "recours_deposes": "520", "decisions_favorables": "210",
              "menages_reloges": "150", "delai_median_mois": "7,5",
              "source": "InfoDALo"},),
))
_add(KindSpec(
    "attributions_prioritaires", "Attributions aux publics prioritaires (accord collectif, "
    "contingent préfectoral)",
    (
        *_TERRITOIRE_CHAMP,
        _ANNEE,
        ColumnSpec("dispositif", "enum", True, "accord_collectif ou contingent_prefectoral",
                   allowed=tuple(DISPOSITIFS_ATTRIBUTION),
                   aliases=("type_dispositif", "dispositif_d_attribution", "contingent_ou_accord")),
        ColumnSpec("bailleur", "str", False, "bailleur (vide : tous les bailleurs)",
                   nullable=True, aliases=("organisme", "bailleur_social", "organisme_hlm")),
        _count("objectif", "objectif d'attributions de l'année", "objectif_annuel",
               "objectif_d_attributions", "cible", required=False),
        _count("realise", "attributions réalisées", "realisees", "attributions",
               "attributions_realisees", "nb_attributions", "resultat"),
        _count("dont_dalo", "dont ménages reconnus DALO", "dalo", "dont_menages_dalo",
               "attributions_dalo", required=False),
        _count("dont_sortants_hebergement", "dont ménages sortant d'hébergement",
               "sortants_d_hebergement", "dont_sortants_d_hebergement",
               "sortants_hebergement", "dont_sortie_d_hebergement", required=False),
        _SOURCE,
    ),
    unique=("territoire_type", "territoire_code", "annee", "dispositif", "bailleur"),
    description="Une ligne par territoire, année et dispositif (et par bailleur si "
    "besoin) : objectif et résultat de l'accord collectif ou du contingent préfectoral.",
    example=({"territoire_type": "epci", "territoire_code": "200040715", "annee": "2024",
              "dispositif": "accord_collectif", "bailleur": "", "objectif": "700",
              "realise": "610", "dont_dalo": "140", "dont_sortants_hebergement": "95",
              "source": "SYPLO"},),
))
_add(KindSpec(
    "siao", "SIAO (demandes, orientations, places)",
    (
        *_TERRITOIRE_CHAMP,
        _ANNEE,
        _count("demandes", "demandes d'hébergement ou de logement adapté reçues",
               "nb_demandes", "demandes_recues", "demandes_d_hebergement"),
        _count("orientations", "orientations prononcées", "nb_orientations",
               "orientations_prononcees"),
        _count("places", "places d'hébergement et de logement adapté au 31 décembre",
               "nb_places", "capacite", "places_disponibles", required=False),
        _SOURCE,
    ),
    unique=("territoire_type", "territoire_code", "annee"),
    description="Une ligne par territoire et année (rapport d'activité du SIAO, SI-SIAO).",
    example=({"territoire_type": "epci", "territoire_code": "200040715", "annee": "2024",
              "demandes": "4200", "orientations": "1900", "places": "2300",
              "source": "SI-SIAO"},),
))
_add(KindSpec(
    "fsl", "Fonds de solidarité pour le logement (aides accordées)",
    (
        *_TERRITOIRE_CHAMP,
        _ANNEE,
        ColumnSpec("volet", "enum", True, "acces, maintien, energie, eau ou telephone",
                   allowed=tuple(VOLETS_FSL), value_key="volet_fsl",
                   aliases=("volet_fsl", "type_d_aide", "nature_de_l_aide", "aide", "type_aide")),
        _count("nb_aides", "nombre d'aides accordées", "nombre_d_aides", "nombre", "aides",
               "aides_accordees", "nb"),
        ColumnSpec("montant", "float", True, "montant des aides accordées (euros)",
                   nonnegative=True, aliases=("montant_eur", "montant_des_aides",
                                              "montant_accorde", "montant_total", "euros")),
        _SOURCE,
    ),
    unique=("territoire_type", "territoire_code", "annee", "volet"),
    description="Une ligne par territoire, année et volet du FSL (accès, maintien, énergie…).",
    example=({"territoire_type": "epci", "territoire_code": "200040715", "annee": "2024",
              "volet": "acces", "nb_aides": "1450", "montant": "812000",
              "source": "Département, FSL"},),
))
#: The kinds of the plan's other fields (docs/ARCHITECTURE.md, « Types d'import »).
FIELD_KINDS: tuple[str, ...] = ("expulsions", "dalo", "attributions_prioritaires", "siao", "fsl")

#: Kinds in the order they are shown and imported by the demo.
KIND_NAMES: tuple[str, ...] = tuple(KINDS)

#: Header words that reveal personal data in signal files (normalised tokens).
PERSONAL_TOKENS = frozenset({
    "nom", "prenom", "prenoms", "telephone", "tel", "portable", "mobile", "email", "e_mail",
    "mail", "courriel", "adresse", "rue", "voie", "naissance", "civilite", "occupant",
    "proprietaire", "declarant", "locataire", "bailleur_prive", "numero_voie",
})


#: How an empty text cell reads back (:func:`coerce_frame` turns None into "None").
BLANK_TEXTS = frozenset({"", "None", "nan", "NaN", "<NA>", "NaT"})


def is_blank(value: object) -> bool:
    """Whether a cell read back from a table is empty (None, NaN, "None"…)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value
    return isinstance(value, str) and value.strip() in BLANK_TEXTS


def split_list(text: object) -> list[str]:
    """Items of a list cell as stored (``"plai,parc_prive_social"`` → two codes)."""
    if is_blank(text):
        return []
    return [item.strip() for item in str(text).split(LIST_SEPARATOR) if item.strip()]


def is_personal_header(normalised: str) -> bool:
    """Whether a normalised header names personal data (``nom_occupant``, ``courriel``…)."""
    tokens = set(normalised.split("_"))
    return bool(tokens & PERSONAL_TOKENS) or normalised in PERSONAL_TOKENS


@dataclass(frozen=True)
class Indicator:
    """An entry of the indicator catalogue."""

    code: str
    label: str
    unit: str
    source: str


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator("plai", "Logements PLA-I financés", "logements",
                  "opérations (Sisal / Galion)"),
        Indicator("plus", "Logements PLUS financés", "logements", "opérations (Sisal / Galion)"),
        Indicator("pls", "Logements PLS financés", "logements", "opérations (Sisal / Galion)"),
        Indicator("parc_prive_social", "Logements privés conventionnés Anah (social et très "
                  "social)", "logements", "réalisations importées"),
        Indicator("contingent_attributions", "Attributions sur le contingent préfectoral",
                  "attributions", "réalisations importées (SYPLO)"),
        Indicator("signalements_traites", "Signalements d'habitat indigne traités (résolus : "
                  "travaux, relogement ou procédure)", "signalements",
                  "signalements résolus (Signal Logement)"),
        Indicator("signalements_recus", "Signalements d'habitat indigne reçus", "signalements",
                  "signalements (Signal Logement)"),
        Indicator("places_hebergement", "Places d'hébergement créées", "places",
                  "réalisations importées"),
        Indicator("pensions_de_famille", "Places en pensions de famille créées", "places",
                  "réalisations importées"),
        Indicator("accompagnements_avdl", "Mesures d'accompagnement vers et dans le logement",
                  "mesures", "réalisations importées"),
        Indicator("menages_dalo_reloges", "Ménages reconnus DALO relogés", "ménages",
                  "réalisations importées, sinon table DALO"),
        *(Indicator(f"expulsions_{code}", f"Procédures d'expulsion : {label}", "ménages",
                    "table des expulsions") for code, label in ETAPES_EXPULSION.items()),
        Indicator("ccapex_saisines", "Saisines de la CCAPEX", "saisines",
                  "table des expulsions"),
        Indicator("ccapex_issues_favorables", "Dossiers CCAPEX à issue favorable (maintien, "
                  "plan d'apurement, relogement)", "dossiers", "table des expulsions"),
        Indicator("dalo_recours", "Recours DALO logement déposés", "recours", "table DALO"),
        Indicator("dalo_decisions_favorables", "Décisions DALO favorables", "décisions",
                  "table DALO"),
        Indicator("accord_collectif_objectif", "Objectif de l'accord collectif d'attribution",
                  "attributions", "table des attributions prioritaires"),
        Indicator("accord_collectif_realise", "Attributions réalisées au titre de l'accord "
                  "collectif", "attributions", "table des attributions prioritaires"),
        Indicator("contingent_objectif", "Objectif d'attributions sur le contingent "
                  "préfectoral", "attributions", "table des attributions prioritaires"),
        Indicator("attributions_dont_dalo", "Attributions prioritaires à des ménages DALO",
                  "attributions", "table des attributions prioritaires"),
        Indicator("attributions_dont_sortants_hebergement", "Attributions prioritaires à des "
                  "ménages sortant d'hébergement", "attributions",
                  "table des attributions prioritaires"),
        Indicator("siao_demandes", "Demandes reçues par le SIAO", "demandes", "table SIAO"),
        Indicator("siao_orientations", "Orientations prononcées par le SIAO", "orientations",
                  "table SIAO"),
        Indicator("siao_places", "Places d'hébergement et de logement adapté (SIAO)", "places",
                  "table SIAO"),
        Indicator("fsl_aides", "Aides du FSL accordées (tous volets)", "aides", "table FSL"),
        Indicator("fsl_montant", "Montant des aides du FSL (tous volets)", "euros",
                  "table FSL"),
        *(Indicator(f"fsl_aides_{code}", f"Aides du FSL accordées : {label}", "aides",
                    "table FSL") for code, label in VOLETS_FSL.items()),
        *(Indicator(f"fsl_montant_{code}", f"Montant des aides du FSL : {label}", "euros",
                    "table FSL") for code, label in VOLETS_FSL.items()),
    )
}


def pandas_dtype(col: ColumnSpec) -> str:
    """Pandas dtype of a canonical column when read back (codes stay strings)."""
    return {
        "int": "Int64",
        "year": "Int64",
        "float": "float64",
        "date": "datetime64[ns]",
        "bool": "boolean",
    }.get(col.type, "str")


def coerce_frame(kind: str, frame: pd.DataFrame, consume: bool = False) -> pd.DataFrame:
    """Canonical columns of ``kind`` in table order with their canonical dtypes.

    Missing optional columns are added empty; extra columns are dropped. With ``consume``,
    each column of ``frame`` is removed from it once converted (a large import then never
    holds both forms of every column).
    """
    spec = KINDS[kind]
    out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
    for col in spec.columns:
        values = None
        if col.name in frame:
            values = frame.pop(col.name) if consume else frame[col.name]
            values = values.reset_index(drop=True)
        dtype = pandas_dtype(col)
        if values is None:
            out[col.name] = pd.Series(index=out.index, dtype=dtype)
        elif dtype == "datetime64[ns]":
            out[col.name] = pd.to_datetime(values).astype("datetime64[ns]")
        elif dtype == "str":  # missing values stay missing (not the text "None")
            out[col.name] = values.astype("str")
        else:
            out[col.name] = values.astype(dtype)
    return out
