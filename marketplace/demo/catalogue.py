"""The illustrative demo catalogue: DOMAIN.md §7 rows 1-60 plus four extra rows.

Product names, subject types, provinces, groups and star levels follow the domain brief (real OCOP
specialties). Producers' names, registration numbers, phones, addresses, stories, prices, scores and
decision numbers are INVENTED: every producer is flagged is_demo and says so in its story, every
description ends with "(Dữ liệu minh họa)".

Rows 61-64 add cooperative groups (THT) and the two products that must stay hidden: row 63 whose only
certificate has expired, and row 64 whose producer is not verified.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProducerRow:
    slug: str
    #: ProducerType value: HTX, THT, DN or HKD.
    type: str
    name: str
    #: Code of the province in the 34-province model (marketplace.geo).
    province_code: int
    #: The province's name before the July 2025 merger, as printed on its certificates.
    old_province: str
    #: Part of the commune's name, to place the producer in the right commune when it still exists.
    ward_hint: str
    #: One sentence about what the producer makes, woven into its (illustrative) story.
    about: str
    verified: bool = True


@dataclass(frozen=True)
class ProductRow:
    #: Row number in DOMAIN.md §7 (61+ are the extra rows).
    row: int
    name: str
    producer: str
    #: OCOP product set code; the group is its first two parts.
    set_code: str
    stars: int
    unit: str
    price_vnd: int
    about: str
    potential_five_star: bool = False
    expired: bool = False

    @property
    def group_code(self) -> str:
        return ".".join(self.set_code.split(".")[:2])


PRODUCERS: tuple[ProducerRow, ...] = (
    # Hà Nội
    ProducerRow("gom-hoa-sen-bat-trang", "DN", "Công ty TNHH Gốm Hoa Sen Bát Tràng", 1, "Hà Nội", "Bát Tràng",
                "Xưởng gốm gia đình ba thế hệ, chuyên đồ gốm men trắng vẽ tay"),
    ProducerRow("htx-gom-su-suoi-ngoc", "HTX", "Hợp tác xã Gốm sứ Suối Ngọc", 1, "Hà Nội", "Bát Tràng",
                "Hợp tác xã của mười hai lò gốm nhỏ, nổi tiếng với dòng men ngọc"),
    ProducerRow("to-lua-my-duc", "DN", "Công ty TNHH Tơ lụa Mỹ Đức", 1, "Hà Nội", "Mỹ Đức",
                "Doanh nghiệp nhỏ làm chăn bông tơ tằm và dệt lụa tơ sen"),
    ProducerRow("tuong-cu-da-ba-hoa", "HKD", "Cơ sở Tương Cự Đà Bà Hòa", 1, "Hà Nội", "Thanh Oai",
                "Hộ gia đình giữ nghề làm tương bên những chum sành phơi nắng"),
    ProducerRow("banh-te-phu-nhi", "HKD", "Cơ sở Bánh tẻ Phú Nhi Cô Lan", 1, "Hà Nội", "Sơn Tây",
                "Hộ gia đình gói bánh tẻ mỗi sáng từ hơn hai mươi năm nay"),
    ProducerRow("htx-rau-da-ton", "HTX", "Hợp tác xã Rau an toàn Đa Tốn", 1, "Hà Nội", "Gia Lâm",
                "Hợp tác xã trồng rau theo quy trình VietGAP ven sông Hồng"),
    ProducerRow("nong-san-toi-den-ha-noi", "DN", "Công ty CP Nông sản Tỏi đen Hà Nội", 1, "Hà Nội", "Thanh Trì",
                "Doanh nghiệp lên men tỏi đen và làm nông sản chế biến"),
    ProducerRow("cha-ca-hue-duong", "HKD", "Cơ sở Chả cá Huệ Dương", 1, "Hà Nội", "Hà Đông",
                "Hộ gia đình quết chả cá thát lát bằng tay"),
    ProducerRow("gio-lua-cong-thinh", "HKD", "Cơ sở Giò lụa Công Thịnh", 1, "Hà Nội", "Thường Tín",
                "Hộ gia đình làm giò lụa, giò bò theo cách cổ truyền"),
    ProducerRow("keo-doi-co-hoang", "HKD", "Cơ sở Kẹo dồi Cổ Hoàng", 1, "Hà Nội", "Ô Diên",
                "Hộ gia đình nấu mạch nha và làm kẹo dồi lạc"),
    ProducerRow("duoc-lieu-thang-long", "DN", "Công ty TNHH Dược liệu Thăng Long", 1, "Hà Nội", "Đan Phượng",
                "Doanh nghiệp nuôi cấy đông trùng hạ thảo trong phòng sạch"),
    ProducerRow("gio-cha-uoc-le", "HKD", "Cơ sở Giò chả Ước Lễ Bác Tư", 1, "Hà Nội", "Thanh Oai",
                "Hộ gia đình ở làng nghề giò chả Ước Lễ"),
    ProducerRow("tht-xoi-phu-thuong", "THT", "Tổ hợp tác Xôi Phú Thượng", 1, "Hà Nội", "Phú Thượng",
                "Tổ hợp tác của mười lăm hộ đồ xôi làng Phú Thượng"),
    ProducerRow("tuong-duong-lam", "HKD", "Cơ sở Tương làng cổ Đường Lâm", 1, "Hà Nội", "Sơn Tây",
                "Hộ gia đình làm tương trong ngôi nhà đá ong trăm tuổi"),
    ProducerRow("htx-lua-van-phuc", "HTX", "Hợp tác xã Lụa Vạn Phúc", 1, "Hà Nội", "Hà Đông",
                "Hợp tác xã của các hộ dệt lụa tơ tằm làng Vạn Phúc"),
    ProducerRow("son-mai-ha-thai", "DN", "Công ty TNHH Sơn mài Hạ Thái", 1, "Hà Nội", "Thường Tín",
                "Xưởng tranh sơn mài của các nghệ nhân làng Hạ Thái"),
    # An Giang (Kiên Giang before 2025)
    ProducerRow("nuoc-mam-khai-hoan", "DN", "Công ty TNHH Nước mắm Khải Hoàn Phú Quốc", 91, "Kiên Giang", "Phú Quốc",
                "Nhà thùng ủ chượp nước mắm bằng thùng gỗ bời lời"),
    ProducerRow("nuoc-mam-thanh-quoc", "DN", "Công ty TNHH Nước mắm Thanh Quốc", 91, "Kiên Giang", "Phú Quốc",
                "Nhà thùng gia truyền làm nước mắm cốt nhĩ"),
    ProducerRow("gao-kim-thien-loc", "DN", "Công ty CP Lương thực Kim Thiên Lộc", 91, "Kiên Giang", "",
                "Doanh nghiệp liên kết với nông dân trồng lúa thơm"),
    ProducerRow("htx-co-bang-phu-my", "HTX", "Hợp tác xã Đan đát Cỏ bàng Phú Mỹ", 91, "Kiên Giang", "",
                "Hợp tác xã của phụ nữ đan túi, nón từ cỏ bàng"),
    # Vĩnh Long (Trà Vinh, Bến Tre before 2025)
    ProducerRow("mat-hoa-dua-tra-vinh", "DN", "Công ty TNHH Mật hoa dừa Trà Vinh", 86, "Trà Vinh", "",
                "Doanh nghiệp thu nhựa hoa dừa hữu cơ và cô đặc thành mật"),
    ProducerRow("dua-sap-cau-ke", "DN", "Công ty CP Dừa sáp Cầu Kè", 86, "Trà Vinh", "Cầu Kè",
                "Doanh nghiệp chế biến dừa sáp, đặc sản của huyện Cầu Kè cũ"),
    ProducerRow("keo-dua-mo-cay", "HKD", "Cơ sở Kẹo dừa Mỏ Cày Tư Nhàn", 86, "Bến Tre", "Mỏ Cày",
                "Hộ gia đình nấu kẹo dừa trên bếp củi"),
    # Cần Thơ (Sóc Trăng before 2025)
    ProducerRow("gao-st25-soc-trang", "DN", "Công ty TNHH Lúa gạo Sóc Trăng", 92, "Sóc Trăng", "",
                "Doanh nghiệp bao tiêu lúa thơm ST25 cho các hợp tác xã"),
    ProducerRow("banh-pia-vung-thom", "HKD", "Lò bánh pía Vũng Thơm Chú Sáu", 92, "Sóc Trăng", "Châu Thành",
                "Lò bánh gia đình người Hoa làm bánh pía vỏ ngàn lớp"),
    # Quảng Ninh
    ProducerRow("tra-hoa-vang-ba-che", "DN", "Công ty CP Trà hoa vàng Ba Chẽ", 22, "Quảng Ninh", "Ba Chẽ",
                "Doanh nghiệp trồng và chế biến trà hoa vàng dưới tán rừng"),
    ProducerRow("cha-muc-ha-long", "HKD", "Cơ sở Chả mực Hạ Long Cô Hiền", 22, "Quảng Ninh", "Hạ Long",
                "Hộ gia đình giã chả mực bằng cối đá"),
    # Thái Nguyên (and Bắc Kạn before 2025)
    ProducerRow("htx-che-dinh-hao-dat", "HTX", "Hợp tác xã Chè Hảo Đạt", 19, "Thái Nguyên", "Tân Cương",
                "Hợp tác xã trồng và sao chè thủ công"),
    ProducerRow("htx-tra-huong-que", "HTX", "Hợp tác xã Trà Hương Quê", 19, "Thái Nguyên", "",
                "Hợp tác xã chè của hơn ba mươi hộ thành viên"),
    ProducerRow("du-lich-thai-hai", "DN", "Công ty TNHH Du lịch sinh thái Thái Hải", 19, "Thái Nguyên", "",
                "Doanh nghiệp gìn giữ làng nhà sàn của người Tày và đón khách trải nghiệm"),
    ProducerRow("curcumin-bac-kan", "DN", "Công ty CP Dược liệu Bắc Kạn", 19, "Bắc Kạn", "",
                "Doanh nghiệp chiết xuất tinh chất nghệ vàng"),
    ProducerRow("htx-mien-dong-na-ri", "HTX", "Hợp tác xã Miến dong Na Rì", 19, "Bắc Kạn", "Na Rì",
                "Hợp tác xã trồng dong riềng và làm miến"),
    # Phú Thọ
    ProducerRow("che-thanh-ba", "DN", "Công ty TNHH Chè Thanh Ba", 25, "Phú Thọ", "Thanh Ba",
                "Doanh nghiệp chế biến chè búp tím"),
    ProducerRow("htx-hung-lo", "HTX", "Hợp tác xã Nông sản Hùng Lô", 25, "Phú Thọ", "Việt Trì",
                "Hợp tác xã làm bún và gói bánh chưng quanh năm"),
    # Lào Cai (and Yên Bái before 2025)
    ProducerRow("atiso-sapa", "DN", "Công ty TNHH Atiso Sa Pa", 15, "Lào Cai", "Sa Pa",
                "Doanh nghiệp trồng và chế biến atiso trên vùng cao"),
    ProducerRow("htx-shan-tuyet-suoi-giang", "HTX", "Hợp tác xã Chè Shan tuyết Suối Giàng", 15, "Yên Bái", "",
                "Hợp tác xã của đồng bào Mông chăm sóc những cây chè cổ thụ"),
    # Sơn La
    ProducerRow("htx-ca-phe-bich-thao", "HTX", "Hợp tác xã Cà phê Bích Thao", 14, "Sơn La", "Chiềng",
                "Hợp tác xã trồng cà phê Arabica trên đồi"),
    # Tuyên Quang (Hà Giang before 2025)
    ProducerRow("htx-tra-phin-ho", "HTX", "Hợp tác xã Trà Phìn Hồ", 8, "Hà Giang", "Hoàng Su Phì",
                "Hợp tác xã chế biến chè shan tuyết của người Dao"),
    ProducerRow("htx-mat-ong-meo-vac", "HTX", "Hợp tác xã Mật ong Mèo Vạc", 8, "Hà Giang", "Mèo Vạc",
                "Hợp tác xã nuôi ong lấy mật hoa bạc hà trên cao nguyên đá"),
    # Bắc Ninh (Bắc Giang before 2025)
    ProducerRow("htx-vai-thieu-luc-ngan", "HTX", "Hợp tác xã Vải thiều Lục Ngạn", 24, "Bắc Giang", "Lục Ngạn",
                "Hợp tác xã trồng vải thiều theo tiêu chuẩn GlobalGAP"),
    # Hưng Yên (and Thái Bình before 2025)
    ProducerRow("htx-nhan-long-hung-yen", "HTX", "Hợp tác xã Nhãn lồng Phố Hiến", 33, "Hưng Yên", "Phố Hiến",
                "Hợp tác xã chăm sóc vườn nhãn lồng cổ"),
    ProducerRow("htx-nep-thuy-ninh", "HTX", "Hợp tác xã Nếp cái hoa vàng Thụy Ninh", 33, "Thái Bình", "Thụy",
                "Hợp tác xã giữ giống nếp cái hoa vàng"),
    ProducerRow("htx-vit-bien-dong-xuyen", "HTX", "Hợp tác xã Chăn nuôi Đồng Xuyên", 33, "Thái Bình", "",
                "Hợp tác xã nuôi vịt biển trên bãi bồi"),
    # Ninh Bình (Nam Định before 2025)
    ProducerRow("ecohost-hai-hau", "DN", "Công ty TNHH Du lịch sinh thái Hải Hậu", 37, "Nam Định", "Hải Hậu",
                "Doanh nghiệp du lịch cộng đồng giữa đồng muối và rừng ngập mặn"),
    # Hải Phòng (Hải Dương before 2025)
    ProducerRow("gom-chu-dau", "DN", "Công ty CP Gốm Chu Đậu", 31, "Hải Dương", "Nam Sách",
                "Xưởng gốm hoa lam phục dựng nghề gốm cổ"),
    # Thanh Hóa
    ProducerRow("nuoc-mam-le-gia", "DN", "Công ty TNHH Nước mắm Lê Gia", 38, "Thanh Hóa", "",
                "Nhà thùng nước mắm ven biển xứ Thanh"),
    ProducerRow("lam-san-thuong-xuan", "DN", "Công ty CP Lâm sản Thường Xuân", 38, "Thanh Hóa", "Thường Xuân",
                "Doanh nghiệp chế biến quế và tre của vùng núi"),
    # Nghệ An
    ProducerRow("may-tre-duc-phong", "DN", "Công ty TNHH Mây tre Đức Phong", 40, "Nghệ An", "Đức",
                "Xưởng mây tre đan tạo việc làm cho phụ nữ nông thôn"),
    # Hà Tĩnh
    ProducerRow("keo-cu-do-ha-tinh", "HKD", "Cơ sở Kẹo cu đơ Bà Liên", 42, "Hà Tĩnh", "",
                "Hộ gia đình nấu kẹo cu đơ bằng mật mía"),
    # Quảng Trị
    ProducerRow("ca-gai-leo-an-xuan", "DN", "Công ty TNHH Dược liệu An Xuân", 44, "Quảng Trị", "",
                "Doanh nghiệp trồng và chế biến cà gai leo"),
    # Đà Nẵng (and Quảng Nam before 2025)
    ProducerRow("thao-duoc-quang-nam", "DN", "Công ty CP Thảo dược Quảng Nam", 48, "Quảng Nam", "",
                "Doanh nghiệp bào chế sản phẩm từ thảo dược vùng núi"),
    ProducerRow("thuc-pham-peco", "DN", "Công ty TNHH Thực phẩm Peco", 48, "Đà Nẵng", "Liên Chiểu",
                "Doanh nghiệp chế biến giò chả đóng gói"),
    ProducerRow("nuoc-mam-nam-o", "HKD", "Cơ sở Nước mắm Nam Ô Hiệp Hải", 48, "Đà Nẵng", "Hải Vân",
                "Hộ gia đình ở làng nghề nước mắm Nam Ô trăm năm"),
    ProducerRow("ruou-da-tuu", "HKD", "Cơ sở Rượu Đình Làng Đa Tửu", 48, "Đà Nẵng", "",
                "Hộ gia đình nấu rượu nếp thủ công"),
    # Quảng Ngãi
    ProducerRow("mach-nha-quang-ngai", "DN", "Công ty TNHH Mạch nha Quảng Ngãi", 51, "Quảng Ngãi", "",
                "Doanh nghiệp nấu mạch nha từ gạo nếp và mầm lúa"),
    # Đắk Lắk
    ProducerRow("ca-phe-buon-ma-thuot", "DN", "Công ty TNHH Cà phê Buôn Ma Thuột", 66, "Đắk Lắk", "Buôn Ma Thuột",
                "Doanh nghiệp rang xay cà phê Robusta"),
    # Lâm Đồng
    ProducerRow("htx-lan-da-lat", "HTX", "Hợp tác xã Hoa lan Đà Lạt", 68, "Lâm Đồng", "Lâm Viên",
                "Hợp tác xã trồng lan hồ điệp trong nhà kính"),
    # Extra rows: cooperative groups, and the producer still awaiting verification.
    ProducerRow("tht-mien-dong-nguyen-binh", "THT", "Tổ hợp tác Miến dong Nguyên Bình", 4, "Cao Bằng", "Nguyên Bình",
                "Tổ hợp tác của các hộ làm miến dong riềng"),
    ProducerRow("tht-dieu-binh-phuoc", "THT", "Tổ hợp tác Hạt điều Bình Phước", 75, "Bình Phước", "",
                "Tổ hợp tác rang điều bằng củi"),
    ProducerRow("tht-mam-tom-chua-hue", "THT", "Tổ hợp tác Mắm tôm chua Huế", 46, "Thừa Thiên Huế", "Thuận Hóa",
                "Tổ hợp tác làm mắm tôm chua theo công thức xứ Huế"),
    ProducerRow("banh-trang-trang-bang", "HKD", "Cơ sở Bánh tráng Trảng Bàng Út Mai", 80, "Tây Ninh", "Trảng Bàng",
                "Hộ gia đình tráng bánh và phơi sương", verified=False),
)

PRODUCTS: tuple[ProductRow, ...] = (
    ProductRow(1, "Bộ bát đĩa hoa sen đỏ, Bát Tràng", "gom-hoa-sen-bat-trang", "4.1.1", 5, "bộ 10 món", 1850000,
               "Gốm men trắng vẽ tay họa tiết hoa sen đỏ, nung ở 1.280 °C, dùng được trong lò vi sóng."),
    ProductRow(2, "Bộ gốm men Suối Ngọc", "htx-gom-su-suoi-ngoc", "4.1.1", 5, "bộ ấm chén 8 món", 1250000,
               "Men ngọc xanh nhẹ, dáng ấm tròn, món quà biếu được nhiều người ưa chuộng."),
    ProductRow(3, "Chăn bông tơ tằm Mỹ Đức", "to-lua-my-duc", "4.2.1", 5, "chiếc 2m x 2,2m", 3200000,
               "Ruột bông tơ tằm tự nhiên, nhẹ, ấm mà thoáng, vỏ vải cotton."),
    ProductRow(4, "Tương Cự Đà", "tuong-cu-da-ba-hoa", "1.4.1", 3, "chai 500ml", 45000,
               "Đặc sản làng Cự Đà, ủ từ đậu tương và xôi nếp trong chum sành theo cách truyền thống."),
    ProductRow(5, "Bánh tẻ Phú Nhi", "banh-te-phu-nhi", "1.3.2", 4, "chục 10 chiếc", 60000,
               "Bánh gạo tẻ gói lá dong, nhân thịt và mộc nhĩ, đặc sản Sơn Tây."),
    ProductRow(6, "Rau chất lượng cao Đa Tốn", "htx-rau-da-ton", "1.1.1", 4, "túi 1kg", 35000,
               "Rau ăn lá trồng theo quy trình VietGAP, thu hái trong ngày."),
    ProductRow(7, "Tỏi đen Kochigold", "nong-san-toi-den-ha-noi", "1.3.3", 4, "hộp 250g", 290000,
               "Tỏi lên men tự nhiên 60 ngày, vị ngọt dịu, không hăng."),
    ProductRow(8, "Chả cá thát lát Huệ Dương", "cha-ca-hue-duong", "1.3.4", 3, "hộp 500g", 180000,
               "Chả cá thát lát quết tay, dai và thơm, chỉ cần chiên vàng là dùng được."),
    ProductRow(9, "Giò lụa Công Thịnh", "gio-lua-cong-thinh", "1.3.4", 3, "khoanh 1kg", 230000,
               "Giò lụa giã từ thịt nóng, gói lá chuối, không dùng hàn the."),
    ProductRow(10, "Kẹo dồi Cổ Hoàng", "keo-doi-co-hoang", "1.3.2", 3, "gói 300g", 50000,
               "Kẹo mạch nha dồi lạc rang, giòn thơm, món quà quê."),
    ProductRow(11, "Đông trùng hạ thảo sấy", "duoc-lieu-thang-long", "3.1.1", 4, "hộp 20g", 950000,
               "Đông trùng hạ thảo nuôi cấy trong phòng sạch, sấy thăng hoa. Sản phẩm tiềm năng 5 sao.",
               potential_five_star=True),
    ProductRow(12, "Giò chả Ước Lễ", "gio-cha-uoc-le", "1.3.4", 4, "khoanh 1kg", 250000,
               "Đặc sản làng nghề Ước Lễ, giò chả làm từ thịt lợn nóng và nước mắm ngon."),
    ProductRow(13, "Xôi Phú Thượng", "tht-xoi-phu-thuong", "1.3.2", 3, "gói 500g", 40000,
               "Xôi nếp cái hoa vàng đồ hai lần, dẻo thơm, ăn kèm đỗ xanh và hành phi."),
    ProductRow(14, "Tương Đường Lâm", "tuong-duong-lam", "1.4.1", 3, "chai 500ml", 40000,
               "Tương làng cổ Đường Lâm, màu cánh gián, vị ngọt hậu."),
    ProductRow(15, "Khăn lụa Vạn Phúc", "htx-lua-van-phuc", "4.2.1", 4, "chiếc 50 x 180cm", 450000,
               "Lụa tơ tằm dệt trên khung cửi làng Vạn Phúc, hoa văn chìm."),
    ProductRow(16, "Tranh sơn mài Hạ Thái", "son-mai-ha-thai", "4.1.1", 4, "bức 40 x 60cm", 2400000,
               "Tranh sơn mài vẽ phong cảnh làng quê trên vóc gỗ nhiều lớp sơn ta."),
    ProductRow(17, "Lụa tơ sen Mỹ Đức", "to-lua-my-duc", "4.2.1", 4, "khăn 30 x 160cm", 1500000,
               "Sợi tơ rút từ cuống sen, dệt thủ công, mềm và thoáng."),
    ProductRow(18, "Nước mắm Phú Quốc Khải Hoàn 40°N", "nuoc-mam-khai-hoan", "1.4.1", 5, "chai 500ml", 145000,
               "Đặc sản đảo Phú Quốc, ủ từ cá cơm và muối trong thùng gỗ 12 tháng, độ đạm 40°N."),
    ProductRow(19, "Nước mắm Thanh Quốc 43°N", "nuoc-mam-thanh-quoc", "1.4.1", 5, "chai 520ml", 165000,
               "Nước mắm cốt nhĩ 43 độ đạm, màu cánh gián, vị ngọt sâu."),
    ProductRow(20, "Gạo Nàng Hương Kim Thiên Lộc", "gao-kim-thien-loc", "1.2.1", 4, "túi 5kg", 175000,
               "Gạo thơm hạt dài, cơm dẻo, canh tác ở vùng tứ giác Long Xuyên."),
    ProductRow(21, "Túi cỏ bàng Phú Mỹ", "htx-co-bang-phu-my", "4.1.1", 4, "chiếc", 120000,
               "Túi đan tay từ cỏ bàng vùng đất phèn, thân thiện với môi trường."),
    ProductRow(22, "Mật hoa dừa Trà Vinh FARM", "mat-hoa-dua-tra-vinh", "1.2.2", 5, "chai 250ml", 120000,
               "Mật cô đặc từ nhựa hoa dừa hữu cơ, chỉ số đường huyết thấp."),
    ProductRow(23, "Dừa sáp sợi VICOSAP", "dua-sap-cau-ke", "1.3.3", 5, "hũ 200g", 95000,
               "Cơm dừa sáp Cầu Kè sấy sợi, béo dẻo, đặc sản Trà Vinh."),
    ProductRow(24, "Kẹo dừa Bến Tre", "keo-dua-mo-cay", "1.3.3", 4, "hộp 400g", 55000,
               "Đặc sản xứ dừa: kẹo vị sầu riêng và lá dứa, nấu từ nước cốt dừa tươi."),
    ProductRow(25, "Gạo ST25", "gao-st25-soc-trang", "1.2.1", 4, "túi 5kg", 190000,
               "Giống lúa thơm Sóc Trăng, cơm mềm, thơm mùi lá dứa."),
    ProductRow(26, "Bánh pía Sóc Trăng", "banh-pia-vung-thom", "1.3.2", 4, "hộp 4 bánh", 85000,
               "Bánh pía nhân đậu xanh, sầu riêng và trứng muối, vỏ ngàn lớp."),
    ProductRow(27, "Trà hoa vàng Ba Chẽ", "tra-hoa-vang-ba-che", "1.5.2", 5, "hộp 50g", 680000,
               "Hoa trà vàng hái dưới tán rừng Ba Chẽ, sấy lạnh, nước trà vàng óng."),
    ProductRow(28, "Chả mực Hạ Long", "cha-muc-ha-long", "1.3.4", 4, "hộp 500g", 220000,
               "Đặc sản Quảng Ninh, mực tươi giã tay, chả giòn sần sật."),
    ProductRow(29, "Chè Đinh Hảo Đạt", "htx-che-dinh-hao-dat", "1.5.1", 5, "hộp 200g", 550000,
               "Chè đinh Thái Nguyên từ búp non nhất, sao tay trên chảo gang."),
    ProductRow(30, "Trà tôm nõn Hương Quê", "htx-tra-huong-que", "1.5.1", 5, "hộp 200g", 320000,
               "Cánh chè xoăn nhỏ, nước xanh, hương cốm."),
    ProductRow(31, "Du lịch văn hóa Tày làng Thái Hải", "du-lich-thai-hai", "6.1.1", 5, "vé 1 ngày", 250000,
               "Một ngày ở làng nhà sàn sinh thái của người Tày: ẩm thực, hát then, làm bánh."),
    ProductRow(32, "Nano Curcumin Vicumax", "curcumin-bac-kan", "3.1.1", 5, "hộp 60 viên", 450000,
               "Tinh chất nghệ vàng Bắc Kạn bào chế dạng nano."),
    ProductRow(33, "Miến dong Bắc Kạn", "htx-mien-dong-na-ri", "1.3.2", 3, "gói 500g", 70000,
               "Miến dong riềng Na Rì, sợi dai, không dùng chất tẩy trắng."),
    ProductRow(34, "Trà búp tím Thanh Ba", "che-thanh-ba", "1.5.1", 5, "hộp 100g", 380000,
               "Chè từ giống búp tím, vị đậm, hậu ngọt."),
    ProductRow(35, "Bún sạch Hùng Lô", "htx-hung-lo", "1.3.2", 5, "túi 1kg", 30000,
               "Bún làng Hùng Lô làm từ gạo Bao Thai, không hóa chất."),
    ProductRow(36, "Bánh chưng Đất Tổ", "htx-hung-lo", "1.3.2", 4, "chiếc 1kg", 90000,
               "Đặc sản Đất Tổ: gạo nếp nương, đỗ xanh, thịt ba chỉ, gói lá dong."),
    ProductRow(37, "Trà atiso Sapa", "atiso-sapa", "1.5.2", 5, "hộp 20 túi lọc", 95000,
               "Trà từ bông và lá atiso trồng ở Sa Pa, dễ uống."),
    ProductRow(38, "Chè Shan tuyết Suối Giàng", "htx-shan-tuyet-suoi-giang", "1.5.1", 4, "gói 200g", 260000,
               "Búp chè từ cây shan tuyết cổ thụ trên đỉnh Suối Giàng."),
    ProductRow(39, "Cà phê bột Bích Thao", "htx-ca-phe-bich-thao", "1.6.1", 5, "gói 500g", 180000,
               "Cà phê Arabica Sơn La rang mộc, hương trái cây."),
    ProductRow(40, "Trà xanh Phìn Hồ", "htx-tra-phin-ho", "1.5.1", 5, "hộp 100g", 350000,
               "Chè shan tuyết Phìn Hồ, Hoàng Su Phì, chế biến thủ công."),
    ProductRow(41, "Mật ong bạc hà Mèo Vạc", "htx-mat-ong-meo-vac", "1.2.2", 4, "chai 500ml", 450000,
               "Đặc sản cao nguyên đá Đồng Văn, mật từ hoa bạc hà dại, thu hoạch từ tháng 10 đến tháng 12."),
    ProductRow(42, "Vải thiều Lục Ngạn", "htx-vai-thieu-luc-ngan", "1.1.1", 4, "thùng 5kg", 250000,
               "Vải thiều chín tự nhiên, cùi dày, hạt nhỏ, giao theo mùa vụ."),
    ProductRow(43, "Nhãn lồng Hưng Yên", "htx-nhan-long-hung-yen", "1.1.1", 4, "thùng 3kg", 180000,
               "Đặc sản nhãn lồng phố Hiến, cùi dày, ngọt sắc."),
    ProductRow(44, "Nếp cái hoa vàng Thụy Ninh", "htx-nep-thuy-ninh", "1.2.1", 4, "túi 2kg", 110000,
               "Nếp hạt tròn, dẻo thơm, dùng đồ xôi và gói bánh chưng."),
    ProductRow(45, "Vịt biển Đồng Xuyên", "htx-vit-bien-dong-xuyen", "1.1.2", 4, "con 2,5kg (làm sạch)", 320000,
               "Vịt thả trên bãi bồi ven biển, thịt chắc, ít mỡ."),
    ProductRow(46, "Ecohost Hải Hậu", "ecohost-hai-hau", "6.1.1", 5, "đêm nghỉ 2 người", 900000,
               "Homestay sinh thái giữa đồng lúa và rừng ngập mặn, có trải nghiệm làm muối."),
    ProductRow(47, "Bình gốm Chu Đậu Giọt Ngọc", "gom-chu-dau", "4.1.1", 4, "chiếc cao 35cm", 1650000,
               "Gốm hoa lam Chu Đậu, dáng giọt ngọc, vẽ tay."),
    ProductRow(48, "Nước mắm Lê Gia cốt đặc biệt", "nuoc-mam-le-gia", "1.4.1", 5, "chai 500ml", 155000,
               "Nước mắm cốt cá cơm ủ chượp 18 tháng."),
    ProductRow(49, "Tinh dầu quế Thường Xuân", "lam-san-thuong-xuan", "3.3.1", 4, "lọ 50ml", 150000,
               "Chưng cất từ vỏ và lá quế Thường Xuân."),
    ProductRow(50, "Ống hút tre Thường Xuân", "lam-san-thuong-xuan", "4.1.1", 4, "hộp 50 ống", 60000,
               "Ống hút từ tre tự nhiên, luộc và sấy khô, dùng được nhiều lần."),
    ProductRow(51, "Đèn bàn mây tre Đức Phong", "may-tre-duc-phong", "4.1.1", 5, "chiếc", 750000,
               "Chao đèn đan tay bằng mây tre, cho ánh sáng ấm."),
    ProductRow(52, "Kẹo cu đơ", "keo-cu-do-ha-tinh", "1.3.2", 3, "gói 400g", 45000,
               "Đặc sản Hà Tĩnh: mật mía, lạc rang và gừng kẹp giữa hai lớp bánh đa."),
    ProductRow(53, "Cao cà gai leo An Xuân", "ca-gai-leo-an-xuan", "3.1.1", 5, "hộp 100g", 280000,
               "Cao cà gai leo cô đặc từ dược liệu trồng tại Quảng Trị."),
    ProductRow(54, "Saphraton", "thao-duoc-quang-nam", "3.1.1", 5, "hộp 30 viên", 520000,
               "Sản phẩm từ thảo dược vùng núi Quảng Nam."),
    ProductRow(55, "Chả lụa Peco Food", "thuc-pham-peco", "1.3.4", 4, "khoanh 500g", 120000,
               "Chả lụa thịt heo, đóng gói hút chân không."),
    ProductRow(56, "Nước mắm Nam Ô Hiệp Hải", "nuoc-mam-nam-o", "1.4.1", 3, "chai 500ml", 110000,
               "Đặc sản làng nghề Nam Ô, cá cơm than ủ chượp trong chum."),
    ProductRow(57, "Rượu Đình Làng Đa Tửu", "ruou-da-tuu", "2.1.1", 3, "chai 500ml", 150000,
               "Rượu nếp nấu thủ công và hạ thổ. Chỉ bán cho người từ 18 tuổi."),
    ProductRow(58, "Mạch nha Quảng Ngãi", "mach-nha-quang-ngai", "1.3.2", 5, "hũ 500g", 75000,
               "Mạch nha nấu từ gạo nếp và mầm lúa, ngọt thanh."),
    ProductRow(59, "Cà phê Buôn Ma Thuột", "ca-phe-buon-ma-thuot", "1.6.1", 4, "gói 500g", 160000,
               "Robusta Buôn Ma Thuột rang mộc, đậm và thơm."),
    ProductRow(60, "Lan hồ điệp Đà Lạt", "htx-lan-da-lat", "5.1.1", 3, "chậu 3 cành", 850000,
               "Lan hồ điệp trồng trong nhà kính ở Đà Lạt."),
    ProductRow(61, "Miến dong Nguyên Bình", "tht-mien-dong-nguyen-binh", "1.3.2", 3, "gói 500g", 65000,
               "Miến dong riềng phơi nắng, sợi trong và dai."),
    ProductRow(62, "Hạt điều rang muối Bình Phước", "tht-dieu-binh-phuoc", "1.3.3", 4, "hũ 500g", 210000,
               "Đặc sản Bình Phước, điều rang củi còn nguyên vỏ lụa."),
    # Hidden: its only certificate expired in 2025.
    ProductRow(63, "Mắm tôm chua Huế", "tht-mam-tom-chua-hue", "1.4.1", 3, "hũ 500g", 90000,
               "Mắm tôm chua với riềng, tỏi, ớt, ăn kèm thịt luộc.", expired=True),
    # Hidden: its producer has not been verified yet.
    ProductRow(64, "Bánh tráng phơi sương Trảng Bàng", "banh-trang-trang-bang", "1.3.2", 4, "gói 500g", 60000,
               "Bánh tráng nướng rồi phơi sương đêm, mềm dẻo, cuốn thịt luộc và rau rừng."),
)

#: Rows shown on the home page as featured.
FEATURED_ROWS = frozenset({1, 4, 11, 18, 27, 29, 39, 41, 46, 51, 58, 59})
#: Rows loaded with no stock (a harvest that is over, a sold-out batch).
OUT_OF_STOCK_ROWS = frozenset({9, 42, 60})
