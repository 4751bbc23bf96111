/*
 * tables.h — the word and code tables of the generator (gen/names.c).
 * Internal to gen/: nothing outside this directory includes it.
 *
 * Every string is a static UTF-8 literal; every table is a const array with
 * its length in a companion `size_t` (gen_n_<table>).
 */
#ifndef CX_GEN_TABLES_H
#define CX_GEN_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* A county-level division (district, county, county-level city). */
struct gen_district {
	const char *code;     /* GB/T 2260, "330106" */
	const char *zh;       /* "西湖区" */
};

/* Evaluation scales of the cities' public-credit evaluations. */
enum {
	GEN_SCALE_ABCD,       /* A B C D */
	GEN_SCALE_YOU,        /* 优 良 中 差 */
	GEN_SCALE_AAA,        /* AAA AA A B */
};

struct gen_city {
	const char *region;   /* "330100" */
	const char *id;       /* "hangzhou" (node id) */
	const char *zh;       /* "杭州" */
	const char *gov;      /* prefix of city-level authorities: "杭州市",
	                         "上海市松江区" */
	const char *firm;     /* place word in company names: "杭州", "上海" */
	const char *abbr;     /* one-character abbreviation in document
	                         numbers: "杭" */
	const char *prov;     /* province abbreviation in court case numbers */
	const char *court2;   /* intermediate court code in case numbers,
	                         "01"; NULL when the city has none of its own */
	const char *icourt;   /* name of the intermediate court */
	int scale;            /* GEN_SCALE_* of its evaluation */
	const char *model;    /* model prefix of its evaluation, "HZPCE" */
	unsigned weight;      /* share of subjects registered there */
	const struct gen_district *districts;
	size_t ndistricts;
};

extern const struct gen_city gen_cities[];
extern const size_t gen_n_cities;

/* Address codes of other provinces, for identity numbers of people born
 * outside the corridor. */
extern const char *const gen_far_divisions[];
extern const size_t gen_n_far_divisions;

/* People. Surnames are ordered by frequency (the generator favours the
 * head of the list). */
extern const char *const gen_surnames[];
extern const size_t gen_n_surnames;
extern const char *const gen_given[];
extern const size_t gen_n_given;

/* Company names: trade-name characters, industries, forms. */
extern const char *const gen_trade[];
extern const size_t gen_n_trade;

/* Industry of a company: its name word and what it tends to be fined for. */
enum {
	GEN_IND_GENERAL,      /* trade, services, technology */
	GEN_IND_FOOD,
	GEN_IND_DRUGS,
	GEN_IND_BUILD,
	GEN_IND_MAKE,         /* manufacturing, chemicals */
	GEN_IND_TRANSPORT,
	GEN_IND_CULTURE,
	GEN_IND_HEALTH,
};

struct gen_industry {
	const char *zh;       /* "网络科技" */
	int kind;             /* GEN_IND_* */
};

extern const struct gen_industry gen_industries[];
extern const size_t gen_n_industries;
extern const char *const gen_firm_forms[];     /* 有限公司 ... */
extern const size_t gen_n_firm_forms;

/* Individual businesses: shop words and their industry. */
extern const struct gen_industry gen_shops[];
extern const size_t gen_n_shops;

/* Institutions (事业单位) and social organisations (社会组织). */
extern const char *const gen_institutions[];
extern const size_t gen_n_institutions;

/* Departments (authorities). A department template is instantiated per
 * city or per district: name = prefix + suffix (or tax's special form). */
enum {
	GEN_D_MARKET,         /* 市场监督管理局 */
	GEN_D_TAX,            /* 国家税务总局…税务局 */
	GEN_D_ENV,            /* 生态环境局 */
	GEN_D_EMERGENCY,      /* 应急管理局 */
	GEN_D_FIRE,           /* 消防救援支队 / 大队 */
	GEN_D_HEALTH,         /* 卫生健康委员会 */
	GEN_D_CULTURE,        /* 文化广电旅游局 */
	GEN_D_HOUSING,        /* 住房和城乡建设局 */
	GEN_D_TRANSPORT,      /* 交通运输局 */
	GEN_D_LABOUR,         /* 人力资源和社会保障局 */
	GEN_D_URBAN,          /* 综合行政执法局 */
	GEN_D_POLICE,         /* 公安局 */
	GEN_D_NDRC,           /* 发展和改革委员会 (credit office) */
	GEN_D_FINANCE,        /* 财政局 (procurement) */
	GEN_D_SCIENCE,        /* 科学技术局 */
	GEN_D_LAND,           /* 自然资源和规划局 */
	GEN_D_TOBACCO,        /* 烟草专卖局 */
	GEN_D_COURT,          /* 人民法院 */
	GEN_D_COUNT
};

struct gen_dept {
	const char *suffix;   /* "市场监督管理局" */
	const char *doc;      /* document-number word, "市监" */
	const char *sector;   /* default sector code (credit/rules.h) */
};

extern const struct gen_dept gen_depts[GEN_D_COUNT];

/* Penalty violations. */
struct gen_violation {
	int dept;             /* GEN_D_* */
	int industry;         /* GEN_IND_* it befalls, -1 any company, -2
	                         natural persons */
	const char *sector;   /* sector code */
	const char *type;     /* 违法行为类型 */
	const char *facts;    /* 违法事实: '#' becomes an amount in 元, '@' a
	                         small count */
	const char *basis;    /* 处罚依据 */
	unsigned char combos[4][4];  /* up to four penalty-type sets, each
	                                0-terminated (Cx__PenaltyType values) */
	uint32_t fine_lo, fine_hi;   /* fine range in yuan */
	const char *licence;  /* licence affected when suspended/revoked */
};

extern const struct gen_violation gen_violations[];
extern const size_t gen_n_violations;

/* Licences. */
struct gen_licence {
	int dept;
	int industry;         /* GEN_IND_* it suits, -1 any, -3 individual
	                         businesses only */
	const char *sector;
	int type;             /* Cx__LicenceType */
	const char *cert;     /* 许可证书名称 */
	const char *no;       /* licence-number pattern: see gen.c */
	const char *content;
	int years;            /* validity; 0 = long-term */
};

extern const struct gen_licence gen_licences[];
extern const size_t gen_n_licences;

/* Lists (serious dishonesty and red lists). */
struct gen_list {
	int dept;
	const char *sector;
	const char *type;     /* list type */
	const char *reason;
	const char *basis;
	const char *measures[5];  /* NULL-terminated */
};

extern const struct gen_list gen_black[];
extern const size_t gen_n_black;
extern const struct gen_list gen_red[];
extern const size_t gen_n_red;

/* Dishonest judgment debtors. */
extern const char *const gen_debtor_reasons[][2];   /* reason, basis */
extern const size_t gen_n_debtor_reasons;
extern const char *const gen_debtor_measures[];
extern const size_t gen_n_debtor_measures;
extern const char *const gen_debts[];               /* '#' = amount in 元 */
extern const size_t gen_n_debts;

/* Commitments: type, matter, department. */
struct gen_commit {
	const char *type;
	const char *matter;
	int dept;
};

extern const struct gen_commit gen_commits[];
extern const size_t gen_n_commits;

/* The five further administrative kinds. */
struct gen_admin {
	int kind;             /* Cx__RecordKind */
	int dept;
	int persons;          /* 1 if it may concern a natural person */
	const char *type;     /* action_type */
	const char *content;  /* '#' = amount in 元, '@' = small count */
	const char *basis;
	const char *results[3];  /* NULL-terminated */
};

extern const struct gen_admin gen_admins[];
extern const size_t gen_n_admins;

#endif
