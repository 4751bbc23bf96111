/*
 * names.c — the tables the generator draws its words and codes from.
 *
 * Design: data only, no logic. Everything a generated record says in
 * Chinese comes from here: the nine cities with the GB/T 2260 codes of
 * their real districts and counties, surnames and given-name characters,
 * company-name parts, the departments that decide, the violations they
 * punish (with the law each cites and the penalty types it allows), the
 * licences they grant, the lists they keep, commitments and the five
 * further administrative kinds. gen.c combines them; tables.h documents
 * each structure.
 *
 * In the texts '#' stands for an amount in yuan and '@' for a small count;
 * gen.c fills them in.
 *
 * The wording follows what 双公示 feeds publish; legal bases name the law
 * and article in the usual form. They are plausible, not legal advice: a
 * generated record is test data.
 */
#include "gen/tables.h"
#include "proto/cxnode.pb-c.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Penalty types, short. */
enum {
	W = CX__PENALTY_TYPE__WARNING,
	CC = CX__PENALTY_TYPE__CIRCULATED_CRITICISM,
	F = CX__PENALTY_TYPE__FINE,
	CG = CX__PENALTY_TYPE__CONFISCATE_GAINS,
	CP = CX__PENALTY_TYPE__CONFISCATE_PROPERTY,
	SL = CX__PENALTY_TYPE__SUSPEND_LICENCE,
	LQ = CX__PENALTY_TYPE__LOWER_QUALIFICATION,
	RL = CX__PENALTY_TYPE__REVOKE_LICENCE,
	RO = CX__PENALTY_TYPE__RESTRICT_OPERATIONS,
	OS = CX__PENALTY_TYPE__ORDER_SUSPENSION,
	OC = CX__PENALTY_TYPE__ORDER_CLOSURE,
	RP = CX__PENALTY_TYPE__RESTRICT_PRACTICE,
	DT = CX__PENALTY_TYPE__DETENTION,
};

/* ---- cities and their county-level divisions (GB/T 2260) ---- */

static const struct gen_district gen_d_songjiang[] = {
	{ "310117", "松江区" },
};

static const struct gen_district gen_d_jiaxing[] = {
	{ "330402", "南湖区" }, { "330411", "秀洲区" }, { "330421", "嘉善县" },
	{ "330424", "海盐县" }, { "330481", "海宁市" }, { "330482", "平湖市" },
	{ "330483", "桐乡市" },
};

static const struct gen_district gen_d_hangzhou[] = {
	{ "330102", "上城区" }, { "330105", "拱墅区" }, { "330106", "西湖区" },
	{ "330108", "滨江区" }, { "330109", "萧山区" }, { "330110", "余杭区" },
	{ "330111", "富阳区" }, { "330112", "临安区" }, { "330113", "临平区" },
	{ "330114", "钱塘区" }, { "330122", "桐庐县" }, { "330127", "淳安县" },
	{ "330182", "建德市" },
};

static const struct gen_district gen_d_jinhua[] = {
	{ "330702", "婺城区" }, { "330703", "金东区" }, { "330723", "武义县" },
	{ "330726", "浦江县" }, { "330727", "磐安县" }, { "330781", "兰溪市" },
	{ "330782", "义乌市" }, { "330783", "东阳市" }, { "330784", "永康市" },
};

static const struct gen_district gen_d_suzhou[] = {
	{ "320505", "虎丘区" }, { "320506", "吴中区" }, { "320507", "相城区" },
	{ "320508", "姑苏区" }, { "320509", "吴江区" }, { "320581", "常熟市" },
	{ "320582", "张家港市" }, { "320583", "昆山市" }, { "320585", "太仓市" },
};

static const struct gen_district gen_d_huzhou[] = {
	{ "330502", "吴兴区" }, { "330503", "南浔区" }, { "330521", "德清县" },
	{ "330522", "长兴县" }, { "330523", "安吉县" },
};

static const struct gen_district gen_d_xuancheng[] = {
	{ "341802", "宣州区" }, { "341821", "郎溪县" }, { "341823", "泾县" },
	{ "341824", "绩溪县" }, { "341825", "旌德县" }, { "341881", "宁国市" },
	{ "341882", "广德市" },
};

static const struct gen_district gen_d_wuhu[] = {
	{ "340202", "镜湖区" }, { "340207", "鸠江区" }, { "340209", "弋江区" },
	{ "340210", "湾沚区" }, { "340212", "繁昌区" }, { "340223", "南陵县" },
	{ "340281", "无为市" },
};

static const struct gen_district gen_d_hefei[] = {
	{ "340102", "瑶海区" }, { "340103", "庐阳区" }, { "340104", "蜀山区" },
	{ "340111", "包河区" }, { "340121", "长丰县" }, { "340122", "肥东县" },
	{ "340123", "肥西县" }, { "340124", "庐江县" }, { "340181", "巢湖市" },
};

#define D(a) a, N(a)
const struct gen_city gen_cities[] = {
	{ "310117", "songjiang", "松江", "上海市松江区", "上海", "松", "沪", NULL,
	  "上海市第一中级人民法院", GEN_SCALE_ABCD, "SJCE", 6, D(gen_d_songjiang) },
	{ "330400", "jiaxing", "嘉兴", "嘉兴市", "嘉兴", "嘉", "浙", "04",
	  "嘉兴市中级人民法院", GEN_SCALE_YOU, "JXPCE", 9, D(gen_d_jiaxing) },
	{ "330100", "hangzhou", "杭州", "杭州市", "杭州", "杭", "浙", "01",
	  "杭州市中级人民法院", GEN_SCALE_AAA, "HZPCE", 20, D(gen_d_hangzhou) },
	{ "330700", "jinhua", "金华", "金华市", "金华", "金", "浙", "07",
	  "金华市中级人民法院", GEN_SCALE_ABCD, "JHPCE", 11, D(gen_d_jinhua) },
	{ "320500", "suzhou", "苏州", "苏州市", "苏州", "苏", "苏", "05",
	  "苏州市中级人民法院", GEN_SCALE_AAA, "SZPCE", 20, D(gen_d_suzhou) },
	{ "330500", "huzhou", "湖州", "湖州市", "湖州", "湖", "浙", "05",
	  "湖州市中级人民法院", GEN_SCALE_YOU, "HUZPCE", 6, D(gen_d_huzhou) },
	{ "341800", "xuancheng", "宣城", "宣城市", "宣城", "宣", "皖", "18",
	  "宣城市中级人民法院", GEN_SCALE_ABCD, "XCPCE", 5, D(gen_d_xuancheng) },
	{ "340200", "wuhu", "芜湖", "芜湖市", "芜湖", "芜", "皖", "02",
	  "芜湖市中级人民法院", GEN_SCALE_YOU, "WHPCE", 8, D(gen_d_wuhu) },
	{ "340100", "hefei", "合肥", "合肥市", "合肥", "合", "皖", "01",
	  "合肥市中级人民法院", GEN_SCALE_AAA, "HFPCE", 15, D(gen_d_hefei) },
};
#undef D
const size_t gen_n_cities = N(gen_cities);

const char *const gen_far_divisions[] = {
	"110105", "110108", "120103", "130102", "140105", "210102", "230103",
	"310104", "310115", "320102", "320282", "321283", "330302", "330381",
	"331002", "340321", "341221", "341503", "350203", "360102", "370102",
	"410102", "411523", "420102", "430102", "440106", "450102", "500103",
	"510104", "513001", "520102", "530102", "610113", "620102",
};
const size_t gen_n_far_divisions = N(gen_far_divisions);

/* ---- people ---- */

const char *const gen_surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
	"马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋",
	"唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
	"潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
	"任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦",
	"邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎",
	"贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "严", "覃", "武", "戴",
	"莫", "孔", "向", "汤", "欧阳", "诸葛", "司马",
};
const size_t gen_n_surnames = N(gen_surnames);

const char *const gen_given[] = {
	"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳",
	"杰", "娟", "涛", "明", "超", "秀", "霞", "平", "刚", "桂", "英", "华",
	"玉", "兰", "萍", "红", "鹏", "飞", "斌", "宇", "浩", "凯", "建", "国",
	"文", "辉", "海", "波", "俊", "峰", "晨", "阳", "丹", "婷", "雪", "琳",
	"欣", "怡", "佳", "慧", "颖", "志", "子", "涵", "梓", "轩", "博", "睿",
	"思", "雨", "嘉", "琪", "诗", "梦", "晓", "春", "林", "永", "德", "福",
	"荣", "金", "龙", "云", "燕", "家", "天", "新", "立", "成", "亮", "健",
	"卫", "东", "振", "晶", "倩", "露", "瑶", "楠", "航", "鑫", "蕾", "璐",
};
const size_t gen_n_given = N(gen_given);

/* ---- organisations ---- */

const char *const gen_trade[] = {
	"华", "恒", "泰", "鑫", "盛", "达", "信", "源", "通", "瑞", "祥", "宏",
	"丰", "利", "隆", "兴", "博", "远", "创", "腾", "卓", "越", "鼎", "汇",
	"嘉", "康", "安", "捷", "联", "星", "辰", "科", "力", "新", "锐", "维",
	"德", "正", "和", "美", "聚", "乐", "永", "益", "晟", "昊", "浩", "铭",
	"俊", "东", "方", "中", "天", "海", "峰", "金", "宝", "诚", "佳", "优",
	"致", "融", "睿", "蓝", "绿", "青", "明", "光", "润", "启", "智", "弘",
};
const size_t gen_n_trade = N(gen_trade);

const struct gen_industry gen_industries[] = {
	{ "科技", GEN_IND_GENERAL },        { "网络科技", GEN_IND_GENERAL },
	{ "信息技术", GEN_IND_GENERAL },    { "电子科技", GEN_IND_MAKE },
	{ "生物科技", GEN_IND_DRUGS },      { "医药", GEN_IND_DRUGS },
	{ "大药房连锁", GEN_IND_DRUGS },    { "食品", GEN_IND_FOOD },
	{ "餐饮管理", GEN_IND_FOOD },       { "农产品", GEN_IND_FOOD },
	{ "贸易", GEN_IND_GENERAL },        { "商贸", GEN_IND_GENERAL },
	{ "进出口", GEN_IND_GENERAL },      { "建设工程", GEN_IND_BUILD },
	{ "建筑劳务", GEN_IND_BUILD },      { "装饰工程", GEN_IND_BUILD },
	{ "房地产开发", GEN_IND_BUILD },    { "物流", GEN_IND_TRANSPORT },
	{ "供应链管理", GEN_IND_TRANSPORT },{ "汽车运输", GEN_IND_TRANSPORT },
	{ "机械制造", GEN_IND_MAKE },       { "新材料", GEN_IND_MAKE },
	{ "环保科技", GEN_IND_MAKE },       { "化工", GEN_IND_MAKE },
	{ "纺织", GEN_IND_MAKE },           { "塑料制品", GEN_IND_MAKE },
	{ "五金制品", GEN_IND_MAKE },       { "家具", GEN_IND_MAKE },
	{ "文化传媒", GEN_IND_CULTURE },    { "旅游开发", GEN_IND_CULTURE },
	{ "教育科技", GEN_IND_CULTURE },    { "健康管理", GEN_IND_HEALTH },
	{ "医疗器械", GEN_IND_HEALTH },     { "物业管理", GEN_IND_GENERAL },
	{ "人力资源", GEN_IND_GENERAL },    { "酒店管理", GEN_IND_FOOD },
};
const size_t gen_n_industries = N(gen_industries);

/* Weighted by repetition: most firms are limited companies. */
const char *const gen_firm_forms[] = {
	"有限公司", "有限公司", "有限公司", "有限公司", "有限公司", "有限公司",
	"有限公司", "有限公司", "有限公司", "有限公司", "有限公司", "有限公司",
	"有限公司", "有限公司", "股份有限公司", "股份有限公司",
	"有限责任公司", "有限责任公司", "集团有限公司",
};
const size_t gen_n_firm_forms = N(gen_firm_forms);

const struct gen_industry gen_shops[] = {
	{ "便利店", GEN_IND_FOOD },    { "小吃店", GEN_IND_FOOD },
	{ "面馆", GEN_IND_FOOD },      { "早餐店", GEN_IND_FOOD },
	{ "饭店", GEN_IND_FOOD },      { "水果店", GEN_IND_FOOD },
	{ "副食品店", GEN_IND_FOOD },  { "烟酒商行", GEN_IND_FOOD },
	{ "五金店", GEN_IND_GENERAL }, { "服装店", GEN_IND_GENERAL },
	{ "理发店", GEN_IND_HEALTH },  { "美容店", GEN_IND_HEALTH },
	{ "汽车维修部", GEN_IND_TRANSPORT }, { "家电维修部", GEN_IND_GENERAL },
	{ "茶室", GEN_IND_FOOD },      { "网吧", GEN_IND_CULTURE },
	{ "药店", GEN_IND_DRUGS },     { "建材经营部", GEN_IND_BUILD },
};
const size_t gen_n_shops = N(gen_shops);

/* Institution names; "%" is replaced by the place (city or district). */
const char *const gen_institutions[] = {
	"%疾病预防控制中心", "%社会福利院", "%图书馆", "%文化馆",
	"%职业技术学校", "%人民医院", "%中医院", "%妇幼保健院",
	"%公共资源交易中心", "%不动产登记中心", "%实验小学", "%第二中学",
};
const size_t gen_n_institutions = N(gen_institutions);

/* ---- departments ---- */

const struct gen_dept gen_depts[GEN_D_COUNT] = {
	[GEN_D_MARKET]    = { "市场监督管理局", "市监", "market" },
	[GEN_D_TAX]       = { "税务局", "税", "tax" },
	[GEN_D_ENV]       = { "生态环境局", "环", "ecology" },
	[GEN_D_EMERGENCY] = { "应急管理局", "应急", "production_safety" },
	[GEN_D_FIRE]      = { "消防救援支队", "消", "fire_safety" },
	[GEN_D_HEALTH]    = { "卫生健康委员会", "卫", "health" },
	[GEN_D_CULTURE]   = { "文化广电旅游局", "文旅", "culture_tourism" },
	[GEN_D_HOUSING]   = { "住房和城乡建设局", "建", "construction" },
	[GEN_D_TRANSPORT] = { "交通运输局", "交", "transport" },
	[GEN_D_LABOUR]    = { "人力资源和社会保障局", "人社", "labour" },
	[GEN_D_URBAN]     = { "综合行政执法局", "综执", "other" },
	[GEN_D_POLICE]    = { "公安局", "公", "other" },
	[GEN_D_NDRC]      = { "发展和改革委员会", "发改", "other" },
	[GEN_D_FINANCE]   = { "财政局", "财", "other" },
	[GEN_D_SCIENCE]   = { "科学技术局", "科", "other" },
	[GEN_D_LAND]      = { "自然资源和规划局", "资规", "other" },
	[GEN_D_TOBACCO]   = { "烟草专卖局", "烟专", "other" },
	[GEN_D_COURT]     = { "人民法院", "法", "court" },
};

/* ---- penalties ---- */

const struct gen_violation gen_violations[] = {
	{ GEN_D_MARKET, GEN_IND_FOOD, "food", "经营超过保质期的食品",
	  "经查，当事人经营超过保质期的预包装食品，货值金额#元",
	  "《中华人民共和国食品安全法》第一百二十四条第一款第（二）项",
	  { { F, CG, CP, 0 }, { F, CP, 0 }, { F, 0 } }, 5000, 100000,
	  "食品经营许可证" },
	{ GEN_D_MARKET, GEN_IND_FOOD, "food", "未按规定查验记录食品进货",
	  "经查，当事人采购食品未按规定查验供货者的许可证和产品合格证明，涉及货值#元",
	  "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项",
	  { { W, 0 }, { F, 0 }, { W, F, 0 } }, 5000, 50000, NULL },
	{ GEN_D_MARKET, GEN_IND_FOOD, "food", "生产经营不符合食品安全标准的食品",
	  "经抽样检验，当事人经营的食品不符合食品安全标准，货值金额#元，情节严重",
	  "《中华人民共和国食品安全法》第一百二十四条第一款第（一）项",
	  { { F, CG, CP, 0 }, { F, CP, RL, 0 }, { F, CG, SL, 0 } }, 50000, 500000,
	  "食品经营许可证" },
	{ GEN_D_MARKET, GEN_IND_DRUGS, "drugs", "销售劣药",
	  "经查，当事人销售的药品经检验含量不符合国家药品标准，货值金额#元",
	  "《中华人民共和国药品管理法》第一百一十七条第一款",
	  { { F, CG, CP, 0 }, { F, CP, 0 }, { F, CG, CP, RL } }, 100000, 2000000,
	  "药品经营许可证" },
	{ GEN_D_MARKET, GEN_IND_DRUGS, "drugs", "未凭处方销售处方药",
	  "经查，当事人未凭处方销售处方药，违法所得#元",
	  "《中华人民共和国药品管理法》第一百二十六条",
	  { { W, 0 }, { F, 0 }, { F, CG, 0 } }, 10000, 100000, NULL },
	{ GEN_D_MARKET, -1, "special_equipment", "使用未经定期检验的特种设备",
	  "经查，当事人使用的电梯（叉车）超过检验有效期未申请定期检验，涉及设备@台次",
	  "《中华人民共和国特种设备安全法》第八十四条第（一）项",
	  { { F, 0 }, { OS, F, 0 } }, 30000, 300000, NULL },
	{ GEN_D_MARKET, -1, "market", "虚假宣传",
	  "经查，当事人在其网店对商品的功能作虚假宣传，违法经营额#元",
	  "《中华人民共和国反不正当竞争法》第二十条第一款",
	  { { F, 0 }, { F, CG, 0 } }, 100000, 1000000, NULL },
	{ GEN_D_MARKET, -1, "market", "销售不合格产品",
	  "经抽样检验，当事人销售的产品不合格，货值金额#元",
	  "《中华人民共和国产品质量法》第五十条",
	  { { F, CG, CP, 0 }, { F, CP, 0 } }, 5000, 200000, NULL },
	{ GEN_D_MARKET, -1, "market", "经营者未明码标价",
	  "经查，当事人销售商品未按规定明码标价，涉及商品@件",
	  "《价格违法行为行政处罚规定》第十三条",
	  { { W, 0 }, { F, 0 } }, 1000, 5000, NULL },
	{ GEN_D_TAX, -1, "tax", "未按照规定期限办理纳税申报",
	  "当事人未按照规定期限办理纳税申报和报送纳税资料，涉及税款#元",
	  "《中华人民共和国税收征收管理法》第六十二条",
	  { { F, 0 } }, 200, 2000, NULL },
	{ GEN_D_TAX, -1, "tax", "虚开发票",
	  "经查，当事人为他人虚开增值税普通发票，金额合计#元",
	  "《中华人民共和国发票管理办法》第三十五条",
	  { { F, CG, 0 }, { F, 0 } }, 50000, 500000, NULL },
	{ GEN_D_TAX, -1, "tax", "偷税",
	  "经查，当事人通过少列收入方式不缴或者少缴应纳税款#元",
	  "《中华人民共和国税收征收管理法》第六十三条第一款",
	  { { F, 0 } }, 50000, 3000000, NULL },
	{ GEN_D_ENV, GEN_IND_MAKE, "ecology", "超标排放大气污染物",
	  "经监测，当事人废气排放口非甲烷总烃浓度超过排放标准，连续监测@次超标",
	  "《中华人民共和国大气污染防治法》第九十九条第（二）项",
	  { { F, 0 }, { F, OS, 0 } }, 100000, 1000000, NULL },
	{ GEN_D_ENV, -1, "ecology", "建设项目未依法报批环境影响评价文件擅自开工建设",
	  "当事人建设项目总投资#元，未依法报批环境影响评价文件即开工建设",
	  "《中华人民共和国环境影响评价法》第三十一条第一款",
	  { { F, 0 } }, 50000, 500000, NULL },
	{ GEN_D_ENV, GEN_IND_MAKE, "ecology", "未按规定贮存危险废物",
	  "经查，当事人将废矿物油等危险废物露天堆放，约@吨",
	  "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（六）项",
	  { { F, 0 } }, 100000, 1000000, NULL },
	{ GEN_D_EMERGENCY, -1, "production_safety", "未按规定对从业人员进行安全生产教育和培训",
	  "经查，当事人有@名从业人员未经安全生产教育和培训即上岗作业",
	  "《中华人民共和国安全生产法》第九十七条第（三）项",
	  { { F, 0 }, { W, F, 0 } }, 10000, 100000, NULL },
	{ GEN_D_EMERGENCY, GEN_IND_MAKE, "production_safety", "未对重大危险源登记建档",
	  "经查，当事人未对重大危险源登记建档，涉及储罐@个",
	  "《中华人民共和国安全生产法》第一百零一条第（二）项",
	  { { F, 0 }, { F, OS, 0 } }, 100000, 500000, NULL },
	{ GEN_D_FIRE, -1, "fire_safety", "消防设施、器材未保持完好有效",
	  "经检查，当事人场所内@具灭火器压力不足，室内消火栓无水",
	  "《中华人民共和国消防法》第六十条第一款第（一）项",
	  { { W, 0 }, { F, 0 } }, 5000, 50000, NULL },
	{ GEN_D_FIRE, -1, "fire_safety", "占用、堵塞、封闭疏散通道、安全出口",
	  "经检查，当事人场所@处安全出口被货物堵塞",
	  "《中华人民共和国消防法》第六十条第一款第（三）项",
	  { { F, 0 }, { W, 0 } }, 5000, 50000, NULL },
	{ GEN_D_HEALTH, GEN_IND_HEALTH, "health", "未取得医疗机构执业许可证擅自执业",
	  "经查，当事人未取得医疗机构执业许可证开展诊疗活动，违法所得#元",
	  "《医疗机构管理条例》第四十三条",
	  { { F, CG, CP, 0 } }, 50000, 500000, NULL },
	{ GEN_D_HEALTH, GEN_IND_HEALTH, "health", "公共场所卫生不符合规定",
	  "经检查，当事人公共用品用具未按规定清洗消毒，抽检@份不合格",
	  "《公共场所卫生管理条例》第十四条",
	  { { W, 0 }, { W, F, 0 } }, 500, 5000, NULL },
	{ GEN_D_CULTURE, GEN_IND_CULTURE, "culture_tourism", "旅行社未与旅游者签订旅游合同",
	  "经查，当事人组织旅游活动未与旅游者签订书面合同，涉及团费#元",
	  "《中华人民共和国旅游法》第一百条第（一）项",
	  { { F, 0 }, { F, SL, 0 } }, 5000, 50000, "旅行社业务经营许可证" },
	{ GEN_D_CULTURE, GEN_IND_CULTURE, "culture_tourism", "接纳未成年人进入互联网上网服务营业场所",
	  "经检查，当事人营业场所内有@名未成年人上网",
	  "《互联网上网服务营业场所管理条例》第三十一条第（二）项",
	  { { W, F, 0 }, { F, OS, 0 } }, 5000, 15000, NULL },
	{ GEN_D_HOUSING, GEN_IND_BUILD, "construction", "未取得施工许可证擅自施工",
	  "经查，当事人承建的工程未取得施工许可证擅自开工，合同价款#元",
	  "《建筑工程施工许可管理办法》第十二条",
	  { { F, 0 } }, 10000, 300000, NULL },
	{ GEN_D_HOUSING, GEN_IND_BUILD, "construction", "违反工程建设强制性标准",
	  "经检查，当事人承建项目混凝土强度不符合设计要求，工程合同价款#元",
	  "《建设工程质量管理条例》第六十四条",
	  { { F, 0 }, { F, LQ, 0 } }, 100000, 1000000, NULL },
	{ GEN_D_TRANSPORT, GEN_IND_TRANSPORT, "transport", "未取得道路运输经营许可擅自从事道路运输经营",
	  "经查，当事人未取得道路运输经营许可从事货物运输，违法所得#元",
	  "《中华人民共和国道路运输条例》第六十三条",
	  { { F, CG, 0 }, { F, 0 } }, 10000, 100000, NULL },
	{ GEN_D_TRANSPORT, GEN_IND_TRANSPORT, "transport", "道路运输车辆超限运输",
	  "经检测，当事人车辆车货总质量超过限定标准@吨",
	  "《公路安全保护条例》第六十四条",
	  { { F, 0 } }, 2000, 30000, NULL },
	{ GEN_D_LABOUR, -1, "labour", "违反规定延长劳动者工作时间",
	  "经查，当事人安排@名劳动者每月延长工作时间超过法定标准",
	  "《劳动保障监察条例》第二十五条",
	  { { W, 0 }, { W, F, 0 } }, 2000, 50000, NULL },
	{ GEN_D_URBAN, -1, "other", "擅自设置户外广告设施",
	  "经查，当事人未经批准在建筑物外立面设置户外广告@处",
	  "《城市市容和环境卫生管理条例》第三十六条",
	  { { F, 0 } }, 1000, 10000, NULL },
	{ GEN_D_URBAN, -2, "other", "占道经营",
	  "当事人未经批准占用城市道路摆摊经营，面积约@平方米",
	  "《城市市容和环境卫生管理条例》第三十六条第（二）项",
	  { { W, 0 }, { F, 0 } }, 50, 500, NULL },
	{ GEN_D_POLICE, -2, "other", "殴打他人",
	  "当事人因琐事与他人发生争执并殴打他人，致他人轻微伤，医疗费用#元",
	  "《中华人民共和国治安管理处罚法》第四十三条第一款",
	  { { DT, F, 0 }, { DT, 0 } }, 200, 500, NULL },
	{ GEN_D_POLICE, -2, "other", "扰乱单位秩序",
	  "当事人在办公场所无理取闹，致使工作不能正常进行约@分钟",
	  "《中华人民共和国治安管理处罚法》第二十三条第一款第（一）项",
	  { { W, 0 }, { F, 0 }, { DT, 0 } }, 100, 500, NULL },
	{ GEN_D_LABOUR, -2, "labour", "无证从事职业技能培训",
	  "当事人未经许可以个人名义开展职业技能培训，收取培训费#元",
	  "《中华人民共和国民办教育促进法》第六十四条",
	  { { F, CG, 0 }, { RP, F, 0 } }, 1000, 20000, NULL },
};
const size_t gen_n_violations = N(gen_violations);

/* ---- licences ----
 * Licence-number patterns: %d district code, %y year, %p province
 * abbreviation, %a city abbreviation, %c the subject's credit code, %n one
 * random digit; anything else is copied. */

const struct gen_licence gen_licences[] = {
	{ GEN_D_MARKET, GEN_IND_FOOD, "food", CX__LICENCE_TYPE__ORDINARY,
	  "食品经营许可证", "JY1%d%n%n%n%n%n%n%n%n",
	  "预包装食品销售（含冷藏冷冻食品），散装食品销售，热食类食品制售", 5 },
	{ GEN_D_MARKET, GEN_IND_FOOD, "food", CX__LICENCE_TYPE__ORDINARY,
	  "食品生产许可证", "SC1%n%n%d%n%n%n%n%n%n",
	  "糕点（烘烤类糕点）；饮料（蛋白饮料类）", 5 },
	{ GEN_D_MARKET, GEN_IND_DRUGS, "drugs", CX__LICENCE_TYPE__ORDINARY,
	  "药品经营许可证", "%pCB%n%n%n%n%n%n%n",
	  "处方药、甲类非处方药、乙类非处方药：中成药、化学药制剂、生物制品", 5 },
	{ GEN_D_MARKET, -1, "market", CX__LICENCE_TYPE__REGISTRATION,
	  "营业执照", "%c", "设立登记", 0 },
	{ GEN_D_MARKET, -1, "special_equipment", CX__LICENCE_TYPE__REGISTRATION,
	  "特种设备使用登记证", "梯11%p%n%n%n%n%n(%y)", "曳引驱动乘客电梯使用登记", 0 },
	{ GEN_D_ENV, GEN_IND_MAKE, "ecology", CX__LICENCE_TYPE__ORDINARY,
	  "排污许可证", "%c001V", "排放大气污染物、水污染物（重点管理）", 5 },
	{ GEN_D_HOUSING, GEN_IND_BUILD, "construction", CX__LICENCE_TYPE__ORDINARY,
	  "建筑工程施工许可证", "%d%y%n%n%n%n0101", "新建厂房及配套用房工程施工", 1 },
	{ GEN_D_HOUSING, GEN_IND_BUILD, "construction", CX__LICENCE_TYPE__RECOGNITION,
	  "建筑业企业资质证书", "D2%d%n%n%n%n", "建筑工程施工总承包贰级", 5 },
	{ GEN_D_TRANSPORT, GEN_IND_TRANSPORT, "transport", CX__LICENCE_TYPE__ORDINARY,
	  "道路运输经营许可证", "%p交运管许可%a字%d%n%n%n%n%n%n号", "道路普通货物运输", 4 },
	{ GEN_D_HEALTH, GEN_IND_HEALTH, "health", CX__LICENCE_TYPE__ORDINARY,
	  "医疗机构执业许可证", "PDY%n%n%n%n%n-%d-%n%n%n%n%n", "诊疗科目：内科；外科；口腔科", 5 },
	{ GEN_D_HEALTH, GEN_IND_HEALTH, "health", CX__LICENCE_TYPE__ORDINARY,
	  "公共场所卫生许可证", "%a卫公证字〔%y〕第%d-%n%n%n%n号", "美容美发场所", 4 },
	{ GEN_D_EMERGENCY, GEN_IND_MAKE, "production_safety", CX__LICENCE_TYPE__ORDINARY,
	  "危险化学品经营许可证", "%p%a安经（%y）%n%n%n%n%n%n", "无仓储经营：乙醇、甲苯、丙酮", 3 },
	{ GEN_D_CULTURE, GEN_IND_CULTURE, "culture_tourism", CX__LICENCE_TYPE__ORDINARY,
	  "出版物经营许可证", "新出发%a字第%n%n%n%n号", "出版物零售", 6 },
	{ GEN_D_CULTURE, GEN_IND_CULTURE, "culture_tourism", CX__LICENCE_TYPE__ORDINARY,
	  "网络文化经营许可证", "%p网文〔%y〕%n%n%n%n-%n%n%n号", "利用信息网络经营音乐娱乐产品", 3 },
	{ GEN_D_LABOUR, GEN_IND_GENERAL, "labour", CX__LICENCE_TYPE__ORDINARY,
	  "人力资源服务许可证", "%d%y%n%n%n%n", "职业中介活动", 5 },
	{ GEN_D_LAND, GEN_IND_BUILD, "other", CX__LICENCE_TYPE__APPROVAL,
	  "建设工程规划许可证", "建字第%d%y%n%n%n%n号", "新建生产用房及附属设施", 2 },
	{ GEN_D_URBAN, GEN_IND_BUILD, "other", CX__LICENCE_TYPE__APPROVAL,
	  "城市建筑垃圾处置核准", "%a综执准〔%y〕%n%n%n号", "建筑垃圾运输处置", 1 },
	{ GEN_D_TOBACCO, -3, "other", CX__LICENCE_TYPE__FRANCHISE,
	  "烟草专卖零售许可证", "%d%n%n%n%n%n%n", "卷烟、雪茄烟零售", 5 },
	{ GEN_D_FIRE, -1, "fire_safety", CX__LICENCE_TYPE__OTHER_LICENCE,
	  "公众聚集场所投入使用、营业前消防安全检查合格证", "%a消安检字〔%y〕第%n%n%n%n号",
	  "公众聚集场所投入使用、营业前消防安全检查", 0 },
};
const size_t gen_n_licences = N(gen_licences);

/* ---- lists ---- */

const struct gen_list gen_black[] = {
	{ GEN_D_TAX, "tax", "重大税收违法失信主体名单",
	  "虚开增值税专用发票，涉及税款金额较大",
	  "《重大税收违法失信主体信息公布管理办法》第六条",
	  { "限制参与政府采购", "限制取得政府资金支持", "限制高消费",
	    "纳税信用直接判为D级", NULL } },
	{ GEN_D_MARKET, "market", "市场监督管理严重违法失信名单",
	  "实施严重危害人民群众身体健康和生命安全的违法行为，受到较重行政处罚",
	  "《市场监督管理严重违法失信名单管理办法》第九条",
	  { "限制参与政府采购", "限制取得政府资金支持", "限制担任法定代表人或负责人",
	    "列为重点监管对象，提高检查频次", NULL } },
	{ GEN_D_MARKET, "food", "食品安全严重违法生产经营者黑名单",
	  "生产经营不符合食品安全标准的食品，情节严重",
	  "《中华人民共和国食品安全法》第一百三十五条",
	  { "限制从事食品生产经营管理工作", "限制参与政府采购", "限制取得政府资金支持",
	    NULL } },
	{ GEN_D_LABOUR, "labour", "拖欠农民工工资失信联合惩戒对象名单",
	  "克扣、无故拖欠农民工工资达到认定拖欠工资数额标准",
	  "《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条",
	  { "限制参与政府采购", "限制取得政府资金支持", "限制高消费",
	    "限制参与评先评优", NULL } },
	{ GEN_D_EMERGENCY, "production_safety", "安全生产严重失信主体名单",
	  "发生生产安全事故并负有责任，受到较重行政处罚",
	  "《安全生产严重失信主体名单管理办法》第七条",
	  { "限制参与政府采购", "限制取得政府资金支持", "加大执法检查频次",
	    "限制参与评先评优", NULL } },
	{ GEN_D_FINANCE, "other", "政府采购严重违法失信行为记录名单",
	  "提供虚假材料谋取中标、成交",
	  "《中华人民共和国政府采购法》第七十七条第一款第（一）项",
	  { "禁止参加政府采购活动（三年）", "限制取得政府资金支持", NULL } },
	{ GEN_D_ENV, "ecology", "环境保护严重失信企业名单",
	  "通过暗管偷排污染物，受到按日连续处罚",
	  "《企业环境信用评价办法》第十二条",
	  { "限制取得政府资金支持", "限制参与评先评优", "加大执法检查频次", NULL } },
};
const size_t gen_n_black = N(gen_black);

const struct gen_list gen_red[] = {
	{ GEN_D_TAX, "tax", "纳税信用A级纳税人名单",
	  "纳税信用评价为A级",
	  "《纳税信用管理办法（试行）》第二十九条",
	  { "办税绿色通道", "增值税发票按需领用", "优先提供纳税辅导", NULL } },
	{ GEN_D_MARKET, "market", "守合同重信用企业名单",
	  "连续两年守合同重信用，合同信用等级良好",
	  "《守合同重信用企业公示工作管理办法》",
	  { "减少日常检查频次", "容缺受理", "优先推荐评优评先", NULL } },
	{ GEN_D_LABOUR, "labour", "劳动保障守法诚信示范单位",
	  "连续三年无劳动保障违法行为",
	  "《企业劳动保障守法诚信等级评价办法》",
	  { "减少劳动保障监察频次", "优先推荐评优评先", NULL } },
	{ GEN_D_NDRC, "other", "诚信示范企业名单",
	  "公共信用综合评价优秀，无严重失信记录",
	  "《关于建立完善守信联合激励和失信联合惩戒制度的指导意见》",
	  { "行政审批绿色通道", "容缺受理", "享受信用承诺制便利", "优先安排财政性资金支持",
	    NULL } },
};
const size_t gen_n_red = N(gen_red);

const char *const gen_debtor_reasons[][2] = {
	{ "有履行能力而拒不履行生效法律文书确定义务",
	  "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（一）项" },
	{ "以伪造证据、暴力、威胁等方法妨碍、抗拒执行",
	  "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（二）项" },
	{ "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行",
	  "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（三）项" },
	{ "违反财产报告制度",
	  "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（四）项" },
	{ "违反限制消费令",
	  "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条第（五）项" },
};
const size_t gen_n_debtor_reasons = N(gen_debtor_reasons);

const char *const gen_debtor_measures[] = {
	"限制高消费", "限制乘坐飞机、列车软卧、轮船二等以上舱位",
	"限制担任企业法定代表人及高级管理人员", "限制参与政府采购",
	"限制取得政府资金支持", "限制招录为公务员、事业单位工作人员",
};
const size_t gen_n_debtor_measures = N(gen_debtor_measures);

const char *const gen_debts[] = {
	"支付借款本金人民币#元及相应利息",
	"支付货款人民币#元及逾期付款违约金",
	"支付工程款人民币#元",
	"支付劳动报酬人民币#元",
	"返还租金人民币#元",
	"赔偿损失人民币#元",
};
const size_t gen_n_debts = N(gen_debts);

/* ---- commitments ---- */

const struct gen_commit gen_commits[] = {
	{ "审批替代型", "食品经营许可告知承诺制办理", GEN_D_MARKET },
	{ "审批替代型", "公共场所卫生许可告知承诺制办理", GEN_D_HEALTH },
	{ "审批替代型", "建设工程消防验收备案告知承诺", GEN_D_HOUSING },
	{ "容缺受理型", "企业开办容缺受理", GEN_D_MARKET },
	{ "容缺受理型", "道路运输经营许可容缺受理", GEN_D_TRANSPORT },
	{ "主动型", "主动公示信用承诺", GEN_D_NDRC },
	{ "行业自律型", "行业协会会员自律承诺", GEN_D_NDRC },
	{ "信用修复型", "申请行政处罚信息信用修复", GEN_D_NDRC },
	{ "审批替代型", "排污许可告知承诺制审批", GEN_D_ENV },
	{ "容缺受理型", "社会保险登记容缺受理", GEN_D_LABOUR },
};
const size_t gen_n_commits = N(gen_commits);

/* ---- the five further administrative kinds ---- */

const struct gen_admin gen_admins[] = {
	{ CX__RECORD_KIND__COERCION, GEN_D_MARKET, 0, "查封场所、设施或者财物",
	  "查封涉嫌违法生产经营的场所及设备，涉及财物价值#元",
	  "《中华人民共和国行政强制法》第九条第（二）项",
	  { "已解除查封", "查封期间", NULL } },
	{ CX__RECORD_KIND__COERCION, GEN_D_MARKET, 0, "扣押财物",
	  "扣押涉嫌不合格产品一批，货值#元",
	  "《中华人民共和国行政强制法》第九条第（三）项",
	  { "已解除扣押", "依法没收", NULL } },
	{ CX__RECORD_KIND__COERCION, GEN_D_TAX, 1, "冻结存款、汇款",
	  "冻结当事人银行存款人民币#元",
	  "《中华人民共和国税收征收管理法》第三十八条",
	  { "已解除冻结", "已扣缴税款", NULL } },
	{ CX__RECORD_KIND__COERCION, GEN_D_ENV, 0, "查封场所、设施或者财物",
	  "查封造成污染物排放的设施设备@台",
	  "《中华人民共和国环境保护法》第二十五条",
	  { "已解除查封", "查封期间", NULL } },
	{ CX__RECORD_KIND__REWARD, GEN_D_MARKET, 1, "奖金",
	  "对举报食品安全违法行为的举报人给予奖励人民币#元",
	  "《市场监管领域重大违法行为举报奖励暂行办法》第十条",
	  { "已发放", NULL } },
	{ CX__RECORD_KIND__REWARD, GEN_D_NDRC, 0, "荣誉称号",
	  "授予诚信经营示范单位称号，给予一次性奖励#元",
	  "《社会信用体系建设规划纲要》",
	  { "已授予", NULL } },
	{ CX__RECORD_KIND__REWARD, GEN_D_SCIENCE, 0, "表彰",
	  "科学技术进步奖三等奖，奖金#元",
	  "《国家科学技术奖励条例》",
	  { "已授予", NULL } },
	{ CX__RECORD_KIND__CONFIRMATION, GEN_D_SCIENCE, 0, "高新技术企业认定",
	  "认定为高新技术企业，上年度研发投入#元",
	  "《高新技术企业认定管理办法》第十一条",
	  { "予以认定", NULL } },
	{ CX__RECORD_KIND__CONFIRMATION, GEN_D_LABOUR, 1, "工伤认定",
	  "职工在工作时间和工作场所内因工作原因受到事故伤害，医疗费用#元",
	  "《工伤保险条例》第十四条第（一）项",
	  { "认定为工伤", "不予认定为工伤", NULL } },
	{ CX__RECORD_KIND__CONFIRMATION, GEN_D_TAX, 0, "小型微利企业认定",
	  "年度应纳税所得额#元，符合小型微利企业条件",
	  "《中华人民共和国企业所得税法实施条例》第九十二条",
	  { "予以确认", NULL } },
	{ CX__RECORD_KIND__ADJUDICATION, GEN_D_MARKET, 0, "专利侵权纠纷行政裁决",
	  "请求人主张被请求人侵犯其实用新型专利权，请求赔偿#元",
	  "《中华人民共和国专利法》第六十五条",
	  { "责令被请求人停止侵权行为", "驳回请求人的请求", NULL } },
	{ CX__RECORD_KIND__ADJUDICATION, GEN_D_LAND, 1, "土地权属争议行政裁决",
	  "申请人与被申请人就@平方米土地使用权归属发生争议",
	  "《中华人民共和国土地管理法》第十四条",
	  { "确认争议土地使用权归申请人", "维持原登记", NULL } },
	{ CX__RECORD_KIND__INSPECTION, GEN_D_MARKET, 0, "双随机一公开抽查",
	  "对当事人经营场所开展“双随机、一公开”检查，检查事项@项",
	  "《市场监督管理行政执法程序规定》",
	  { "未发现问题", "发现问题，已责令限期整改", "发现违法线索，已移交立案" } },
	{ CX__RECORD_KIND__INSPECTION, GEN_D_FIRE, 0, "消防监督检查",
	  "对当事人场所开展消防监督检查，检查部位@处",
	  "《消防监督检查规定》第六条",
	  { "未发现问题", "发现火灾隐患，已责令改正", NULL } },
	{ CX__RECORD_KIND__INSPECTION, GEN_D_ENV, 0, "污染源日常监督检查",
	  "对当事人污染防治设施运行情况开展现场检查，检查点位@个",
	  "《中华人民共和国环境保护法》第二十四条",
	  { "未发现问题", "发现问题，已责令限期整改", NULL } },
	{ CX__RECORD_KIND__INSPECTION, GEN_D_EMERGENCY, 0, "安全生产执法检查",
	  "对当事人安全生产条件开展执法检查，检查项目@项",
	  "《中华人民共和国安全生产法》第六十五条",
	  { "未发现问题", "发现事故隐患，已责令整改", NULL } },
	{ CX__RECORD_KIND__INSPECTION, GEN_D_HEALTH, 1, "卫生监督检查",
	  "对当事人执业活动开展卫生监督检查，检查项目@项",
	  "《中华人民共和国基本医疗卫生与健康促进法》第八十六条",
	  { "未发现问题", "发现问题，已责令改正", NULL } },
};
const size_t gen_n_admins = N(gen_admins);
