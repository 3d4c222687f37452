import { maskAddress, maskIdNumber, maskName, maskPersonalData, maskPhone } from './personal-data-masking';

describe('personal data masking', () => {
  it('keeps the family name only', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳修文')).toBe('欧***');
  });

  it('hides a one-character name whole: its first character is all of it', () => {
    expect(maskName('张')).toBe('*');
    expect(maskName(' 李 ')).toBe('*');
    expect(maskName('𠀋')).toBe('*');
  });

  it('keeps the first three and last four digits of a phone number', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskPhone('029-88886666')).toBe('029****6666');
  });

  it('keeps the last four characters of an ID number', () => {
    expect(maskIdNumber('61010319800101123X')).toBe('**************123X');
  });

  it('keeps the start of an address only', () => {
    expect(maskAddress('雁塔区大雁塔街道曲江社区8号楼')).toBe('雁塔区大雁塔*********');
  });

  it('masks a whole personal-data object, arrays included, and leaves party roles readable', () => {
    expect(
      maskPersonalData({
        petitioner: { name: '王五', phone: '13900001111' },
        parties: [{ name: '赵六', role: 'applicant', nickname: '老赵' }],
      }),
    ).toEqual({
      petitioner: { name: '王*', phone: '139****1111' },
      parties: [{ name: '赵*', role: 'applicant', nickname: '**' }],
    });
  });
});
