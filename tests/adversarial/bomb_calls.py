import torch.nn as nn


def f0(c):
    return nn.Conv2d(c, c, 3)


def f1(c):
    return [f0(c), f0(c + 1)]


def f2(c):
    return [f1(c), f1(c + 1)]


def f3(c):
    return [f2(c), f2(c + 1)]


def f4(c):
    return [f3(c), f3(c + 1)]


def f5(c):
    return [f4(c), f4(c + 1)]


def f6(c):
    return [f5(c), f5(c + 1)]


def f7(c):
    return [f6(c), f6(c + 1)]


def f8(c):
    return [f7(c), f7(c + 1)]


def f9(c):
    return [f8(c), f8(c + 1)]


def f10(c):
    return [f9(c), f9(c + 1)]


def f11(c):
    return [f10(c), f10(c + 1)]


def f12(c):
    return [f11(c), f11(c + 1)]


def f13(c):
    return [f12(c), f12(c + 1)]


def f14(c):
    return [f13(c), f13(c + 1)]


def f15(c):
    return [f14(c), f14(c + 1)]


def f16(c):
    return [f15(c), f15(c + 1)]


def f17(c):
    return [f16(c), f16(c + 1)]


def f18(c):
    return [f17(c), f17(c + 1)]


def f19(c):
    return [f18(c), f18(c + 1)]


def f20(c):
    return [f19(c), f19(c + 1)]


def f21(c):
    return [f20(c), f20(c + 1)]


def f22(c):
    return [f21(c), f21(c + 1)]


def f23(c):
    return [f22(c), f22(c + 1)]


def f24(c):
    return [f23(c), f23(c + 1)]


def f25(c):
    return [f24(c), f24(c + 1)]


def f26(c):
    return [f25(c), f25(c + 1)]


def f27(c):
    return [f26(c), f26(c + 1)]


def f28(c):
    return [f27(c), f27(c + 1)]


def f29(c):
    return [f28(c), f28(c + 1)]


def f30(c):
    return [f29(c), f29(c + 1)]


def f31(c):
    return [f30(c), f30(c + 1)]


def f32(c):
    return [f31(c), f31(c + 1)]


def f33(c):
    return [f32(c), f32(c + 1)]


def f34(c):
    return [f33(c), f33(c + 1)]


def f35(c):
    return [f34(c), f34(c + 1)]


def f36(c):
    return [f35(c), f35(c + 1)]


def f37(c):
    return [f36(c), f36(c + 1)]


def f38(c):
    return [f37(c), f37(c + 1)]


def f39(c):
    return [f38(c), f38(c + 1)]


def f40(c):
    return [f39(c), f39(c + 1)]


def f41(c):
    return [f40(c), f40(c + 1)]


def f42(c):
    return [f41(c), f41(c + 1)]


def f43(c):
    return [f42(c), f42(c + 1)]


def f44(c):
    return [f43(c), f43(c + 1)]


def f45(c):
    return [f44(c), f44(c + 1)]


def f46(c):
    return [f45(c), f45(c + 1)]


def f47(c):
    return [f46(c), f46(c + 1)]


def f48(c):
    return [f47(c), f47(c + 1)]


def f49(c):
    return [f48(c), f48(c + 1)]


def f50(c):
    return [f49(c), f49(c + 1)]


def f51(c):
    return [f50(c), f50(c + 1)]


def f52(c):
    return [f51(c), f51(c + 1)]


def f53(c):
    return [f52(c), f52(c + 1)]


def f54(c):
    return [f53(c), f53(c + 1)]


def f55(c):
    return [f54(c), f54(c + 1)]


def f56(c):
    return [f55(c), f55(c + 1)]


def f57(c):
    return [f56(c), f56(c + 1)]


def f58(c):
    return [f57(c), f57(c + 1)]


def f59(c):
    return [f58(c), f58(c + 1)]


def f60(c):
    return [f59(c), f59(c + 1)]


def f61(c):
    return [f60(c), f60(c + 1)]


def f62(c):
    return [f61(c), f61(c + 1)]


def f63(c):
    return [f62(c), f62(c + 1)]


def f64(c):
    return [f63(c), f63(c + 1)]


def f65(c):
    return [f64(c), f64(c + 1)]


def f66(c):
    return [f65(c), f65(c + 1)]


def f67(c):
    return [f66(c), f66(c + 1)]


def f68(c):
    return [f67(c), f67(c + 1)]


def f69(c):
    return [f68(c), f68(c + 1)]


def f70(c):
    return [f69(c), f69(c + 1)]


def f71(c):
    return [f70(c), f70(c + 1)]


def f72(c):
    return [f71(c), f71(c + 1)]


def f73(c):
    return [f72(c), f72(c + 1)]


def f74(c):
    return [f73(c), f73(c + 1)]


def f75(c):
    return [f74(c), f74(c + 1)]


def f76(c):
    return [f75(c), f75(c + 1)]


def f77(c):
    return [f76(c), f76(c + 1)]


def f78(c):
    return [f77(c), f77(c + 1)]


def f79(c):
    return [f78(c), f78(c + 1)]


def f80(c):
    return [f79(c), f79(c + 1)]


def f81(c):
    return [f80(c), f80(c + 1)]


def f82(c):
    return [f81(c), f81(c + 1)]


def f83(c):
    return [f82(c), f82(c + 1)]


def f84(c):
    return [f83(c), f83(c + 1)]


def f85(c):
    return [f84(c), f84(c + 1)]


def f86(c):
    return [f85(c), f85(c + 1)]


def f87(c):
    return [f86(c), f86(c + 1)]


def f88(c):
    return [f87(c), f87(c + 1)]


def f89(c):
    return [f88(c), f88(c + 1)]


def f90(c):
    return [f89(c), f89(c + 1)]


def f91(c):
    return [f90(c), f90(c + 1)]


def f92(c):
    return [f91(c), f91(c + 1)]


def f93(c):
    return [f92(c), f92(c + 1)]


def f94(c):
    return [f93(c), f93(c + 1)]


def f95(c):
    return [f94(c), f94(c + 1)]


def f96(c):
    return [f95(c), f95(c + 1)]


def f97(c):
    return [f96(c), f96(c + 1)]


def f98(c):
    return [f97(c), f97(c + 1)]


def f99(c):
    return [f98(c), f98(c + 1)]


def f100(c):
    return [f99(c), f99(c + 1)]


def f101(c):
    return [f100(c), f100(c + 1)]


def f102(c):
    return [f101(c), f101(c + 1)]


def f103(c):
    return [f102(c), f102(c + 1)]


def f104(c):
    return [f103(c), f103(c + 1)]


def f105(c):
    return [f104(c), f104(c + 1)]


def f106(c):
    return [f105(c), f105(c + 1)]


def f107(c):
    return [f106(c), f106(c + 1)]


def f108(c):
    return [f107(c), f107(c + 1)]


def f109(c):
    return [f108(c), f108(c + 1)]


def f110(c):
    return [f109(c), f109(c + 1)]


def f111(c):
    return [f110(c), f110(c + 1)]


def f112(c):
    return [f111(c), f111(c + 1)]


def f113(c):
    return [f112(c), f112(c + 1)]


def f114(c):
    return [f113(c), f113(c + 1)]


def f115(c):
    return [f114(c), f114(c + 1)]


def f116(c):
    return [f115(c), f115(c + 1)]


def f117(c):
    return [f116(c), f116(c + 1)]


def f118(c):
    return [f117(c), f117(c + 1)]


def f119(c):
    return [f118(c), f118(c + 1)]


def f120(c):
    return [f119(c), f119(c + 1)]


def f121(c):
    return [f120(c), f120(c + 1)]


def f122(c):
    return [f121(c), f121(c + 1)]


def f123(c):
    return [f122(c), f122(c + 1)]


def f124(c):
    return [f123(c), f123(c + 1)]


def f125(c):
    return [f124(c), f124(c + 1)]


def f126(c):
    return [f125(c), f125(c + 1)]


def f127(c):
    return [f126(c), f126(c + 1)]


def f128(c):
    return [f127(c), f127(c + 1)]


def f129(c):
    return [f128(c), f128(c + 1)]


def f130(c):
    return [f129(c), f129(c + 1)]


def f131(c):
    return [f130(c), f130(c + 1)]


def f132(c):
    return [f131(c), f131(c + 1)]


def f133(c):
    return [f132(c), f132(c + 1)]


def f134(c):
    return [f133(c), f133(c + 1)]


def f135(c):
    return [f134(c), f134(c + 1)]


def f136(c):
    return [f135(c), f135(c + 1)]


def f137(c):
    return [f136(c), f136(c + 1)]


def f138(c):
    return [f137(c), f137(c + 1)]


def f139(c):
    return [f138(c), f138(c + 1)]


def f140(c):
    return [f139(c), f139(c + 1)]


def f141(c):
    return [f140(c), f140(c + 1)]


def f142(c):
    return [f141(c), f141(c + 1)]


def f143(c):
    return [f142(c), f142(c + 1)]


def f144(c):
    return [f143(c), f143(c + 1)]


def f145(c):
    return [f144(c), f144(c + 1)]


def f146(c):
    return [f145(c), f145(c + 1)]


def f147(c):
    return [f146(c), f146(c + 1)]


def f148(c):
    return [f147(c), f147(c + 1)]


def f149(c):
    return [f148(c), f148(c + 1)]


def f150(c):
    return [f149(c), f149(c + 1)]


def f151(c):
    return [f150(c), f150(c + 1)]


def f152(c):
    return [f151(c), f151(c + 1)]


def f153(c):
    return [f152(c), f152(c + 1)]


def f154(c):
    return [f153(c), f153(c + 1)]


def f155(c):
    return [f154(c), f154(c + 1)]


def f156(c):
    return [f155(c), f155(c + 1)]


def f157(c):
    return [f156(c), f156(c + 1)]


def f158(c):
    return [f157(c), f157(c + 1)]


def f159(c):
    return [f158(c), f158(c + 1)]


def f160(c):
    return [f159(c), f159(c + 1)]


def f161(c):
    return [f160(c), f160(c + 1)]


def f162(c):
    return [f161(c), f161(c + 1)]


def f163(c):
    return [f162(c), f162(c + 1)]


def f164(c):
    return [f163(c), f163(c + 1)]


def f165(c):
    return [f164(c), f164(c + 1)]


def f166(c):
    return [f165(c), f165(c + 1)]


def f167(c):
    return [f166(c), f166(c + 1)]


def f168(c):
    return [f167(c), f167(c + 1)]


def f169(c):
    return [f168(c), f168(c + 1)]


def f170(c):
    return [f169(c), f169(c + 1)]


def f171(c):
    return [f170(c), f170(c + 1)]


def f172(c):
    return [f171(c), f171(c + 1)]


def f173(c):
    return [f172(c), f172(c + 1)]


def f174(c):
    return [f173(c), f173(c + 1)]


def f175(c):
    return [f174(c), f174(c + 1)]


def f176(c):
    return [f175(c), f175(c + 1)]


def f177(c):
    return [f176(c), f176(c + 1)]


def f178(c):
    return [f177(c), f177(c + 1)]


def f179(c):
    return [f178(c), f178(c + 1)]


def f180(c):
    return [f179(c), f179(c + 1)]


def f181(c):
    return [f180(c), f180(c + 1)]


def f182(c):
    return [f181(c), f181(c + 1)]


def f183(c):
    return [f182(c), f182(c + 1)]


def f184(c):
    return [f183(c), f183(c + 1)]


def f185(c):
    return [f184(c), f184(c + 1)]


def f186(c):
    return [f185(c), f185(c + 1)]


def f187(c):
    return [f186(c), f186(c + 1)]


def f188(c):
    return [f187(c), f187(c + 1)]


def f189(c):
    return [f188(c), f188(c + 1)]


def f190(c):
    return [f189(c), f189(c + 1)]


def f191(c):
    return [f190(c), f190(c + 1)]


def f192(c):
    return [f191(c), f191(c + 1)]


def f193(c):
    return [f192(c), f192(c + 1)]


def f194(c):
    return [f193(c), f193(c + 1)]


def f195(c):
    return [f194(c), f194(c + 1)]


def f196(c):
    return [f195(c), f195(c + 1)]


def f197(c):
    return [f196(c), f196(c + 1)]


def f198(c):
    return [f197(c), f197(c + 1)]


def f199(c):
    return [f198(c), f198(c + 1)]


def f200(c):
    return [f199(c), f199(c + 1)]


def f201(c):
    return [f200(c), f200(c + 1)]


def f202(c):
    return [f201(c), f201(c + 1)]


def f203(c):
    return [f202(c), f202(c + 1)]


def f204(c):
    return [f203(c), f203(c + 1)]


def f205(c):
    return [f204(c), f204(c + 1)]


def f206(c):
    return [f205(c), f205(c + 1)]


def f207(c):
    return [f206(c), f206(c + 1)]


def f208(c):
    return [f207(c), f207(c + 1)]


def f209(c):
    return [f208(c), f208(c + 1)]


def f210(c):
    return [f209(c), f209(c + 1)]


def f211(c):
    return [f210(c), f210(c + 1)]


def f212(c):
    return [f211(c), f211(c + 1)]


def f213(c):
    return [f212(c), f212(c + 1)]


def f214(c):
    return [f213(c), f213(c + 1)]


def f215(c):
    return [f214(c), f214(c + 1)]


def f216(c):
    return [f215(c), f215(c + 1)]


def f217(c):
    return [f216(c), f216(c + 1)]


def f218(c):
    return [f217(c), f217(c + 1)]


def f219(c):
    return [f218(c), f218(c + 1)]


def f220(c):
    return [f219(c), f219(c + 1)]


def f221(c):
    return [f220(c), f220(c + 1)]


def f222(c):
    return [f221(c), f221(c + 1)]


def f223(c):
    return [f222(c), f222(c + 1)]


def f224(c):
    return [f223(c), f223(c + 1)]


def f225(c):
    return [f224(c), f224(c + 1)]


def f226(c):
    return [f225(c), f225(c + 1)]


def f227(c):
    return [f226(c), f226(c + 1)]


def f228(c):
    return [f227(c), f227(c + 1)]


def f229(c):
    return [f228(c), f228(c + 1)]


def f230(c):
    return [f229(c), f229(c + 1)]


def f231(c):
    return [f230(c), f230(c + 1)]


def f232(c):
    return [f231(c), f231(c + 1)]


def f233(c):
    return [f232(c), f232(c + 1)]


def f234(c):
    return [f233(c), f233(c + 1)]


def f235(c):
    return [f234(c), f234(c + 1)]


def f236(c):
    return [f235(c), f235(c + 1)]


def f237(c):
    return [f236(c), f236(c + 1)]


def f238(c):
    return [f237(c), f237(c + 1)]


def f239(c):
    return [f238(c), f238(c + 1)]


def f240(c):
    return [f239(c), f239(c + 1)]


def f241(c):
    return [f240(c), f240(c + 1)]


def f242(c):
    return [f241(c), f241(c + 1)]


def f243(c):
    return [f242(c), f242(c + 1)]


def f244(c):
    return [f243(c), f243(c + 1)]


def f245(c):
    return [f244(c), f244(c + 1)]


def f246(c):
    return [f245(c), f245(c + 1)]


def f247(c):
    return [f246(c), f246(c + 1)]


def f248(c):
    return [f247(c), f247(c + 1)]


def f249(c):
    return [f248(c), f248(c + 1)]


def f250(c):
    return [f249(c), f249(c + 1)]


def f251(c):
    return [f250(c), f250(c + 1)]


def f252(c):
    return [f251(c), f251(c + 1)]


def f253(c):
    return [f252(c), f252(c + 1)]


def f254(c):
    return [f253(c), f253(c + 1)]


def f255(c):
    return [f254(c), f254(c + 1)]


def f256(c):
    return [f255(c), f255(c + 1)]


def f257(c):
    return [f256(c), f256(c + 1)]


def f258(c):
    return [f257(c), f257(c + 1)]


def f259(c):
    return [f258(c), f258(c + 1)]


def f260(c):
    return [f259(c), f259(c + 1)]


def f261(c):
    return [f260(c), f260(c + 1)]


def f262(c):
    return [f261(c), f261(c + 1)]


def f263(c):
    return [f262(c), f262(c + 1)]


def f264(c):
    return [f263(c), f263(c + 1)]


def f265(c):
    return [f264(c), f264(c + 1)]


def f266(c):
    return [f265(c), f265(c + 1)]


def f267(c):
    return [f266(c), f266(c + 1)]


def f268(c):
    return [f267(c), f267(c + 1)]


def f269(c):
    return [f268(c), f268(c + 1)]


def f270(c):
    return [f269(c), f269(c + 1)]


def f271(c):
    return [f270(c), f270(c + 1)]


def f272(c):
    return [f271(c), f271(c + 1)]


def f273(c):
    return [f272(c), f272(c + 1)]


def f274(c):
    return [f273(c), f273(c + 1)]


def f275(c):
    return [f274(c), f274(c + 1)]


def f276(c):
    return [f275(c), f275(c + 1)]


def f277(c):
    return [f276(c), f276(c + 1)]


def f278(c):
    return [f277(c), f277(c + 1)]


def f279(c):
    return [f278(c), f278(c + 1)]


def f280(c):
    return [f279(c), f279(c + 1)]


def f281(c):
    return [f280(c), f280(c + 1)]


def f282(c):
    return [f281(c), f281(c + 1)]


def f283(c):
    return [f282(c), f282(c + 1)]


def f284(c):
    return [f283(c), f283(c + 1)]


def f285(c):
    return [f284(c), f284(c + 1)]


def f286(c):
    return [f285(c), f285(c + 1)]


def f287(c):
    return [f286(c), f286(c + 1)]


def f288(c):
    return [f287(c), f287(c + 1)]


def f289(c):
    return [f288(c), f288(c + 1)]


def f290(c):
    return [f289(c), f289(c + 1)]


def f291(c):
    return [f290(c), f290(c + 1)]


def f292(c):
    return [f291(c), f291(c + 1)]


def f293(c):
    return [f292(c), f292(c + 1)]


def f294(c):
    return [f293(c), f293(c + 1)]


def f295(c):
    return [f294(c), f294(c + 1)]


def f296(c):
    return [f295(c), f295(c + 1)]


def f297(c):
    return [f296(c), f296(c + 1)]


def f298(c):
    return [f297(c), f297(c + 1)]


def f299(c):
    return [f298(c), f298(c + 1)]


m = f299(3)  # bomb
small = f2(3)
